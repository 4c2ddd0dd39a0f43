import type { Bus, ReceivedMessage, RetryPolicy, Subscription } from '@caseflow/bus';
import type { TicketEvent } from '@caseflow/domain';
import { decodeEvent, fold } from '@caseflow/domain';
import { fromStored, streamOf } from '@caseflow/engine';
import type { VerificationCodeMessage } from '@caseflow/verification';
import { VERIFICATION_CODES_TOPIC, ensureVerificationCodesTopic } from '@caseflow/verification';
import type { EmailSender, EmailTransportConfig } from './channels.js';
import { createEmailSender, postWebhook } from './channels.js';
import type { Directory } from './directory.js';
import { parseDirectory } from './directory.js';
import type { CallbackStatus, CallbackTask, DeliveryIntent, DeliveryRecord, NotificationLedger, TicketProfile } from './ledger.js';
import type { PlannedNotification } from './plan.js';
import { applyToProfile, planNotifications } from './plan.js';
import { decodeVerificationCode, planVerificationCode } from './verification-codes.js';

export const TICKET_EVENTS_TOPIC = 'caseflow.ticket-events.v1';
export const NOTIFICATIONS_DLQ_TOPIC = 'caseflow.notifications.dlq.v1';

/** A stored event as the event store returns it (the engine's `fromStored` reads it). */
export type StoredTicketEvent = Parameters<typeof fromStored>[0];

/** The part of an event store the notifier reads: a ticket's stream. `EventStore` fits. */
export interface TicketHistory {
  readStream(stream: string): Promise<StoredTicketEvent[]>;
}

export type DeadLetterReason =
  /**
   * The message is not what its topic carries, as far as this reader understands: a ticket event
   * (bad JSON, unknown type or version, schema) or a verification code message.
   */
  | 'poison'
  /** A notification failed `maxAttempts` times. */
  | 'delivery_failed'
  /** An event for a ticket the notifier cannot place (no profile, no history to read it from). */
  | 'unknown_ticket'
  /** Handling failed unexpectedly `maxAttempts` times in a row. */
  | 'handler_failed';

/** The value of a message on the dead-letter topic (JSON). Its key is the original key. */
export interface DeadLetter {
  reason: DeadLetterReason;
  error: string;
  attempts: number;
  failedAt: string;
  /**
   * The message as received; `value` as UTF-8 text when it is valid UTF-8, always as base64. For a
   * verification code this includes the code (in plain text, as on the codes topic itself).
   */
  original: {
    topic: string;
    partition: number;
    offset: string;
    key: string;
    timestamp: string;
    headers: Record<string, string>;
    value: string | null;
    valueBase64: string;
  };
  /** For `delivery_failed`: which notification. */
  notification?: {
    id: string;
    eventId: string;
    ticketId?: string;
    verificationId?: string;
    tenant: string;
    audience: string;
    channel: string;
    recipient: string;
    template?: string;
  };
}

export interface BackoffPolicy {
  /** Wait after the first failed attempt; doubles after each further one... */
  initialDelayMs: number;
  /** ...up to this. */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 500, maxDelayMs: 30_000 };

export interface NotifierOptions {
  bus: Bus;
  ledger: NotificationLedger;
  /** Agents, duty supervisor and tenant webhooks; validated with `parseDirectory`. */
  directory?: unknown;
  /** How email leaves: SMTP, the outbox directory, or any EmailSender (tests). */
  email: EmailTransportConfig | EmailSender;
  /** The From of every email. */
  from?: string;
  /** The domain of Message-IDs. */
  messageIdDomain?: string;
  /** Consumer group (default `notifier`); verification codes are consumed as `<group>-verification-codes`. */
  group?: string;
  topic?: string;
  dlqTopic?: string;
  /** Partitions for the topics if this notifier is the first to create them (default 6 and 1). */
  partitions?: number;
  dlqPartitions?: number;
  /**
   * Where a group that has committed nothing starts: true (default) from the beginning, so no
   * event published before the first start is missed; the ledger keeps repeats out.
   */
  fromBeginning?: boolean;
  /** Attempts per notification before it goes to the dead-letter topic (default 5). */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** The bus's own retry of a message whose handler threw (e.g. the dead-letter topic was unreachable). */
  busRetry?: RetryPolicy;
  /**
   * The event store, to read a ticket's history when the notifier has no profile for it (it
   * started after the ticket was opened, or the TicketOpened message was lost to the dead-letter
   * topic) or a gap in revisions says it missed events. Without it such events are dead-lettered
   * as `unknown_ticket`.
   */
  history?: TicketHistory;
  /** Notifications about events older than this are not sent (recorded as skipped in the log only). */
  maxEventAgeMs?: number;
  webhookTimeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Waits between attempts; must reject when `signal` aborts (the notifier is stopping). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Where the notifier reports what it could not do (default: stderr). */
  log?: (line: string) => void;
}

export class NotifierStoppingError extends Error {
  constructor() {
    super('the notifier is stopping');
    this.name = 'NotifierStoppingError';
  }
}

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((done, fail) => {
    if (signal.aborted) {
      fail(new NotifierStoppingError());
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      done();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      fail(new NotifierStoppingError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function utf8(value: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(value);
  } catch {
    return null;
  }
}

/** A planned notification as the ledger records it and a dead letter names it. */
const intentOf = (notification: PlannedNotification): DeliveryIntent => ({
  id: notification.id,
  eventId: notification.eventId,
  recipient: notification.recipient,
  channel: notification.channel,
  ticketId: notification.ticketId,
  verificationId: notification.verificationId,
  tenant: notification.tenant,
  audience: notification.audience,
  template: notification.channel === 'webhook' ? undefined : notification.template,
});

/** Parses the stream revision header; undefined when absent or not a number. */
function revisionOf(message: ReceivedMessage): number | undefined {
  const header = message.headers.caseflow_revision;
  if (header === undefined || !/^\d{1,15}$/.test(header)) return undefined;
  return Number(header);
}

/**
 * The notification worker: a consumer group on the ticket events topic that, for each event,
 * decides who hears what (`planNotifications`), records each notification in the ledger, delivers
 * it (email, callback task, webhook) with retries and exponential backoff, and after
 * `maxAttempts` failures publishes it to the dead-letter topic and moves on. A second group on the
 * verification codes topic delivers each phone verification code the same way, by email to the
 * tenant's registered address or as a callback task to read it to the registered phone.
 *
 * Ordering and blocking: the bus hands one message at a time, so retries of a failing
 * notification hold up the messages behind it for at most the sum of the backoff delays (default
 * 0.5 + 1 + 2 + 4 s). The notifications of one event are delivered in parallel, so a failing SMTP
 * server does not delay that event's webhooks.
 */
export class Notifier {
  private readonly options: NotifierOptions;
  private readonly directory: Directory;
  private readonly email: EmailSender;
  private readonly ownsEmail: boolean;
  private readonly now: () => Date;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly log: (line: string) => void;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly topic: string;
  private readonly dlqTopic: string;
  private abort = new AbortController();
  private subscriptions: Subscription[] = [];

  constructor(options: NotifierOptions) {
    this.options = options;
    this.directory = parseDirectory(options.directory ?? {});
    if ('send' in options.email) {
      this.email = options.email;
      this.ownsEmail = false;
    } else {
      this.email = createEmailSender(options.email);
      this.ownsEmail = true;
    }
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? abortableSleep;
    this.log = options.log ?? ((line) => console.error(`caseflow notifier: ${line}`));
    this.maxAttempts = options.maxAttempts ?? 5;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.topic = options.topic ?? TICKET_EVENTS_TOPIC;
    this.dlqTopic = options.dlqTopic ?? NOTIFICATIONS_DLQ_TOPIC;
  }

  get ledger(): NotificationLedger {
    return this.options.ledger;
  }

  /** Joins the consumer groups (ticket events, verification codes); resolves once subscribed. */
  async start(): Promise<void> {
    if (this.subscriptions.length > 0) return;
    const { bus } = this.options;
    this.abort = new AbortController();
    await bus.ensureTopic(this.topic, { partitions: this.options.partitions ?? 6 });
    await ensureVerificationCodesTopic(bus, this.options.partitions);
    await bus.ensureTopic(this.dlqTopic, { partitions: this.options.dlqPartitions ?? 1 });
    const group = this.options.group ?? 'notifier';
    const subscribe = async (groupName: string, topic: string, handler: (message: ReceivedMessage) => Promise<void>) => {
      this.subscriptions.push(
        await bus.subscribe(
          {
            group: groupName,
            topics: [topic],
            fromBeginning: this.options.fromBeginning ?? true,
            ...(this.options.busRetry === undefined ? {} : { retry: this.options.busRetry }),
            onStopped: (error) => this.log(`subscription to ${topic} stopped: ${error.message}`),
          },
          handler,
        ),
      );
    };
    try {
      await subscribe(group, this.topic, (message) => this.handle(message));
      await subscribe(`${group}-verification-codes`, VERIFICATION_CODES_TOPIC, (message) => this.handleVerificationCode(message));
    } catch (error) {
      await this.closeSubscriptions();
      throw error;
    }
  }

  /**
   * Leaves the groups. A notification waiting for its next attempt is abandoned (its message is
   * not committed and comes back on the next start, where the ledger picks up its attempt count).
   */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.closeSubscriptions();
    if (this.ownsEmail) this.email.close();
  }

  private async closeSubscriptions(): Promise<void> {
    const subscriptions = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
  }

  listCallbackTasks(filter: { tenant?: string; status?: CallbackStatus } = {}): CallbackTask[] {
    return this.options.ledger.listCallbackTasks(filter);
  }

  completeCallbackTask(id: string, completion: { by?: string; outcome?: string } = {}): CallbackTask | undefined {
    return this.options.ledger.completeCallbackTask(id, { ...completion, at: this.now() });
  }

  /** Handles one message of the ticket events topic; public so it can be driven without a bus. */
  handle(message: ReceivedMessage): Promise<void> {
    return this.consume(
      message,
      (text) => decodeEvent(JSON.parse(text)),
      (event) => this.process(message, event),
      (event) => `event ${event.id}`,
    );
  }

  /** Handles one message of the verification codes topic; public so it can be driven without a bus. */
  handleVerificationCode(message: ReceivedMessage): Promise<void> {
    return this.consume(
      message,
      decodeVerificationCode,
      (code) => this.deliverVerificationCode(message, code),
      (code) => `the code of verification ${code.verificationId}`,
    );
  }

  /**
   * Decodes a message and processes it. A message that cannot be decoded fails the same way every
   * time: straight to the dead-letter topic. A processing failure is retried by the bus, and
   * dead-lettered once it has failed `maxAttempts` times.
   */
  private async consume<T>(message: ReceivedMessage, decode: (text: string) => T, process: (decoded: T) => Promise<void>, describe: (decoded: T) => string): Promise<void> {
    if (this.abort.signal.aborted) throw new NotifierStoppingError();
    let decoded: T;
    try {
      const text = utf8(message.value);
      if (text === null) throw new Error('the value is not UTF-8');
      decoded = decode(text);
    } catch (error) {
      await this.deadLetter(message, 'poison', `cannot decode the message: ${errorText(error)}`, 1);
      return;
    }
    try {
      await process(decoded);
    } catch (error) {
      if (error instanceof NotifierStoppingError || this.abort.signal.aborted) throw error;
      if (message.attempt < this.maxAttempts) {
        this.log(`${describe(decoded)} (attempt ${message.attempt}): ${errorText(error)}; the bus retries it`);
        throw error;
      }
      await this.deadLetter(message, 'handler_failed', errorText(error), message.attempt);
    }
  }

  /** A code that has expired is not sent: nobody could use it (e.g. a new group reading old messages). */
  private async deliverVerificationCode(message: ReceivedMessage, code: VerificationCodeMessage): Promise<void> {
    if (this.now().getTime() >= Date.parse(code.expiresAt)) {
      this.log(`the code of verification ${code.verificationId} expired at ${code.expiresAt}: not sending it`);
      return;
    }
    await this.deliver(planVerificationCode(code), message);
  }

  private async process(message: ReceivedMessage, event: TicketEvent): Promise<void> {
    const revision = revisionOf(message);
    const profile = await this.profileFor(event, revision);
    if (profile === undefined) {
      await this.deadLetter(message, 'unknown_ticket', `no TicketOpened seen for ticket ${event.ticketId} and no history to read it from`, 1);
      return;
    }
    const maxAge = this.options.maxEventAgeMs;
    if (maxAge !== undefined && this.now().getTime() - Date.parse(event.occurredAt) > maxAge) {
      this.log(`event ${event.id} of ticket ${event.ticketId} is older than ${maxAge} ms: not notifying`);
      return;
    }
    const planned = planNotifications({ event, profile, directory: this.directory, ...(revision === undefined ? {} : { revision }) });
    const results = await Promise.allSettled(planned.map((notification) => this.deliver(notification, message)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }

  /**
   * The ticket as of this event. Normally the stored profile, advanced by this event; the bus
   * keeps a ticket's events in order on one partition, and a redelivered event (same or older
   * revision) leaves the profile as it is. With no profile, or a gap in revisions, the ticket's
   * history is read from the event store up to this event, when one is configured.
   */
  private async profileFor(event: TicketEvent, revision: number | undefined): Promise<TicketProfile | undefined> {
    const { ledger } = this.options;
    const stored = ledger.profile(event.ticketId);
    const now = this.now();
    if (stored !== undefined && revision !== undefined && stored.revision !== undefined) {
      if (revision <= stored.revision) {
        // A redelivery. At the same revision the profile is exact; an older one is a replay, where
        // the history (if any) gives the ticket as it was then.
        if (revision === stored.revision || this.options.history === undefined) return stored.profile;
        return (await this.profileFromHistory(event.ticketId, revision)) ?? stored.profile;
      }
      if (revision > stored.revision + 1 && this.options.history !== undefined) {
        const rebuilt = await this.profileFromHistory(event.ticketId, revision);
        if (rebuilt !== undefined) {
          ledger.saveProfile(rebuilt, revision, now);
          return rebuilt;
        }
      }
    }
    const next = applyToProfile(stored?.profile, event);
    if (next !== undefined) {
      ledger.saveProfile(next, revision ?? stored?.revision, now);
      return next;
    }
    if (this.options.history === undefined) return undefined;
    const rebuilt = await this.profileFromHistory(event.ticketId, revision);
    if (rebuilt !== undefined) ledger.saveProfile(rebuilt, revision, now);
    return rebuilt;
  }

  private async profileFromHistory(ticketId: string, revision: number | undefined): Promise<TicketProfile | undefined> {
    const history = this.options.history;
    if (history === undefined) return undefined;
    const records = await history.readStream(streamOf(ticketId));
    const upTo = records.filter((r) => revision === undefined || r.revision <= BigInt(revision));
    const ticket = fold(upTo.map(fromStored)).ticket;
    if (ticket === undefined) return undefined;
    return {
      ticketId,
      tenant: ticket.tenant,
      region: ticket.region,
      language: ticket.language,
      title: ticket.title,
      severity: ticket.severity,
      contact: ticket.contact,
      ...(ticket.owner === undefined ? {} : { owner: ticket.owner }),
      ...(ticket.queue === undefined ? {} : { queue: ticket.queue }),
    };
  }

  /**
   * Delivers one notification unless the ledger says it was delivered or given up already:
   * intent first, then each attempt recorded before it starts and its outcome after it ends.
   */
  private async deliver(notification: PlannedNotification, message: ReceivedMessage): Promise<'delivered' | 'dead' | 'skipped'> {
    const { ledger } = this.options;
    let record: DeliveryRecord = ledger.intend(intentOf(notification), this.now());
    if (record.status === 'delivered' || record.status === 'dead') return 'skipped';
    if (record.status === 'sending') {
      this.log(`${notification.channel} ${notification.id} for event ${notification.eventId} was interrupted mid-attempt; trying again (a duplicate is possible)`);
    }
    let lastError = record.lastError ?? 'no attempt succeeded';
    for (;;) {
      if (record.attempts >= this.maxAttempts) {
        await this.deadLetter(message, 'delivery_failed', lastError, record.attempts, notification);
        ledger.markDead(notification.id, lastError, this.now());
        return 'dead';
      }
      if (this.abort.signal.aborted) throw new NotifierStoppingError();
      const attempt = ledger.beginAttempt(notification.id, this.now());
      try {
        await this.send(notification);
        if (notification.channel !== 'callback') ledger.markDelivered(notification.id, this.now());
        return 'delivered';
      } catch (error) {
        lastError = errorText(error);
        ledger.markFailed(notification.id, lastError, this.now());
        this.log(`${notification.channel} to ${notification.recipient} for event ${notification.eventId} failed (attempt ${attempt} of ${this.maxAttempts}): ${lastError}`);
        record = { ...record, attempts: attempt };
        if (attempt < this.maxAttempts) await this.sleep(this.delayAfter(attempt), this.abort.signal);
      }
    }
  }

  /** Exponential backoff: initial, 2x, 4x... capped. */
  delayAfter(attempt: number): number {
    return Math.min(this.backoff.initialDelayMs * 2 ** (attempt - 1), this.backoff.maxDelayMs);
  }

  private async send(notification: PlannedNotification): Promise<void> {
    switch (notification.channel) {
      case 'email': {
        const domain = this.options.messageIdDomain ?? 'notifier.caseflow.invalid';
        await this.email.send({
          id: notification.id,
          from: this.options.from ?? 'caseflow support <no-reply@caseflow.invalid>',
          to: notification.recipient,
          subject: notification.message.subject,
          text: notification.message.text,
          language: notification.language,
          // The event id plus which of its notifications: the same on a resend, so the receiving
          // side can drop a duplicate; References threads a ticket's messages together.
          messageId: `<${notification.eventId}.${notification.id.slice(0, 12)}@${domain}>`,
          headers: {
            ...(notification.ticketId === undefined
              ? {}
              : {
                  References: `<ticket-${notification.ticketId}@${domain}>`,
                  'X-Caseflow-Event-Id': notification.eventId,
                  'X-Caseflow-Ticket-Id': notification.ticketId,
                }),
            ...(notification.verificationId === undefined ? {} : { 'X-Caseflow-Verification-Id': notification.verificationId }),
            'X-Caseflow-Notification-Id': notification.id,
          },
        });
        return;
      }
      case 'callback':
        this.options.ledger.deliverCallback(
          intentOf(notification),
          { phone: notification.recipient, language: notification.language, subject: notification.message.subject, text: notification.message.text },
          this.now(),
        );
        return;
      case 'webhook':
        await postWebhook({
          url: notification.recipient,
          secret: notification.secret,
          body: notification.body,
          deliveryId: notification.id,
          eventId: notification.eventId,
          now: this.now(),
          timeoutMs: this.options.webhookTimeoutMs ?? 10_000,
          ...(this.options.fetch === undefined ? {} : { fetch: this.options.fetch }),
        });
        return;
    }
  }

  /**
   * Publishes to the dead-letter topic, keyed like the original. If that fails the error goes up
   * and the bus retries the message: nothing is settled that was not dead-lettered.
   */
  private async deadLetter(message: ReceivedMessage, reason: DeadLetterReason, error: string, attempts: number, notification?: PlannedNotification): Promise<void> {
    const letter: DeadLetter = {
      reason,
      error,
      attempts,
      failedAt: this.now().toISOString(),
      original: {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        key: message.key,
        timestamp: message.timestamp,
        headers: message.headers,
        value: utf8(message.value),
        valueBase64: message.value.toString('base64'),
      },
      ...(notification === undefined ? {} : { notification: intentOf(notification) }),
    };
    await this.options.bus.publish(this.dlqTopic, [
      {
        key: message.key,
        value: JSON.stringify(letter),
        headers: {
          'content-type': 'application/json',
          caseflow_dlq_reason: reason,
          caseflow_dlq_error: error.replace(/\s+/g, ' ').slice(0, 500),
          ...(message.headers.ce_id === undefined ? {} : { ce_id: message.headers.ce_id }),
        },
      },
    ]);
    this.log(`dead-lettered ${message.topic}/${message.partition}@${message.offset} (${reason}): ${error}`);
  }
}
