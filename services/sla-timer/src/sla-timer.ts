import type { Bus, ReceivedMessage, RetryPolicy, Subscription } from '@caseflow/bus';
import type { TicketEvent } from '@caseflow/domain';
import type { Clock } from '@caseflow/engine';
import { CommandEngine, STREAM_PREFIX, fromStored, streamOf, systemClock } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';
import type { SlaPolicy } from '@caseflow/sla';
import { decisionPolicyOf, defaultPolicy, nextTimerAt, policyFor } from '@caseflow/sla';
import { actionFor, pendingTimer } from './actions.js';
import { TICKET_EVENTS_TOPIC, readTicketChange } from './messages.js';
import type { PendingTimer, SlaTimerStore, TicketTimer, TimerReason } from './timer-store.js';

export interface SlaTimerOptions {
  store: EventStore;
  bus: Bus;
  timers: SlaTimerStore;
  /** Where time comes from: due timers are those at or before `clock.now()`; the engine dates its events by it too. */
  clock?: Clock;
  /**
   * The SLA policies tickets may have pinned; the first is the current one. A ticket is timed
   * under the policy it opened with, or the first if that one is not given. Default: the default policy.
   */
  policies?: readonly SlaPolicy[];
  /** The consumer group; workers with the same group share the topic's partitions. */
  group?: string;
  topic?: string;
  /** Partitions of the topic when the worker has to create it (the relay's default). */
  partitions?: number;
  /** Where a group that never committed starts: at the beginning (the default), so a new worker learns every ticket. */
  fromBeginning?: boolean;
  /** The longest the scheduler sleeps before looking for due timers again (it wakes earlier for an earlier timer). */
  pollIntervalMs?: number;
  /** Due timers read per query. */
  batchSize?: number;
  /** Backoff for a timer the engine could not act on (a write conflict, a refusal that persists, a failure). */
  retry?: RetryPolicy;
  /** A message whose handling keeps failing is given up (logged) after this many attempts, so the partition moves on. */
  maxMessageAttempts?: number;
  /** Told about each command a due timer sent and how the engine took it. */
  onAction?: (outcome: TimerOutcome) => void;
  /** Called if the bus subscription stops on its own (see SubscribeOptions.onStopped). */
  onStopped?: (error: Error) => void;
  /** Where problems are reported; stderr by default. */
  log?: (line: string) => void;
}

export interface TimerOutcome {
  ticketId: string;
  commandId: string;
  reason: TimerReason;
  /** recorded: new events; repeated: the command id was handled before; refused / conflict: nothing stored. */
  result: 'recorded' | 'repeated' | 'refused' | 'conflict';
  /** The engine's refusal code, for refused and conflict. */
  code?: string;
}

export interface SlaTimerStats {
  /** Messages that made the worker read a ticket again. */
  applied: number;
  /** Messages at or below the ticket's last applied revision: dropped. */
  duplicates: number;
  /** Messages that are not ticket events (logged and skipped). */
  invalid: number;
  /** Messages given up after `maxMessageAttempts` failures. */
  failed: number;
  recorded: number;
  repeated: number;
  refused: number;
  conflicts: number;
}

/** A visit sends at most this many commands before it lets other tickets have a turn. */
const MAX_ACTIONS_PER_VISIT = 8;
const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 1_000, maxDelayMs: 5 * 60_000 };

interface Loaded {
  history: TicketEvent[];
  revision: bigint | undefined;
  policy: SlaPolicy;
}

/**
 * The SLA worker: a consumer group on the ticket-event topic, and a scheduler over durable
 * per-ticket timers.
 *
 * - A message says a ticket changed. Unless its revision is at or below the one the ticket's
 *   timer was computed from (a duplicate, a redelivery, a replay), the worker reads the ticket's
 *   history from the event store (the source of truth; Kafka is only the trigger), asks
 *   `nextTimerAt` for the next instant to act, and saves it with the history's revision.
 * - The scheduler takes the timers that are due, reads each ticket's history again, and only if
 *   the timer is still due on that history sends the command it calls for (escalate, downgrade,
 *   close) through the engine, with an id derived from the ticket, clock, cycle and level. The
 *   stored timer is a reminder, never the decision: a stale one only costs a read.
 * - Refusals (the ticket moved on) are not errors: the timer is recomputed. A write conflict, or a
 *   refusal of the very command the fresh history still calls for, is retried after a backoff.
 */
export class SlaTimer {
  private readonly store: EventStore;
  private readonly timers: SlaTimerStore;
  private readonly clock: Clock;
  private readonly policies: readonly [SlaPolicy, ...SlaPolicy[]];
  private readonly engine: CommandEngine;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly retry: RetryPolicy;
  private readonly log: (line: string) => void;
  private readonly counters: SlaTimerStats = { applied: 0, duplicates: 0, invalid: 0, failed: 0, recorded: 0, repeated: 0, refused: 0, conflicts: 0 };
  /** Per ticket, the work in flight: the consumer and the scheduler never handle one ticket at the same time. */
  private readonly locks = new Map<string, Promise<void>>();
  private subscription: Subscription | undefined;
  private looping: Promise<void> | undefined;
  private scanning: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private wokenEarly = false;
  /** The clock instant (ms) the scheduler sleeps until; +Infinity while it is scanning. */
  private sleepingUntil = Number.POSITIVE_INFINITY;

  constructor(private readonly options: SlaTimerOptions) {
    this.store = options.store;
    this.timers = options.timers;
    this.clock = options.clock ?? systemClock;
    const [current = defaultPolicy, ...older] = options.policies ?? [];
    this.policies = [current, ...older];
    this.engine = new CommandEngine({
      store: options.store,
      clock: this.clock,
      policy: decisionPolicyOf(current),
      pinnedPolicies: older.map(decisionPolicyOf),
      cacheSize: 1_000,
    });
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.batchSize = options.batchSize ?? 100;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.log = options.log ?? ((line) => console.error(`caseflow sla-timer: ${line}`));
  }

  get stats(): SlaTimerStats {
    return { ...this.counters };
  }

  /**
   * Starts the scheduler (timers saved before a restart fire without waiting for any message),
   * then joins the consumer group; resolves once the subscription has its partitions.
   */
  async start(): Promise<void> {
    if (this.looping !== undefined) throw new Error('this SlaTimer was already started');
    const { bus } = this.options;
    const topic = this.options.topic ?? TICKET_EVENTS_TOPIC;
    this.looping = this.loop();
    try {
      await bus.ensureTopic(topic, { partitions: this.options.partitions ?? 6 });
      this.subscription = await bus.subscribe(
        {
          group: this.options.group ?? 'sla-timer',
          topics: [topic],
          fromBeginning: this.options.fromBeginning ?? true,
          ...(this.options.onStopped === undefined ? {} : { onStopped: this.options.onStopped }),
        },
        (message) => this.onMessage(message),
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Leaves the group (the message in hand is finished and committed), then lets the scheduler finish the ticket in hand. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    this.subscription = undefined;
    this.wake();
    await this.looping;
    await this.scanning;
  }

  /**
   * Handles one ticket-event message as the subscription does: drops it if its revision was
   * applied already, otherwise recomputes the ticket's timer from the store.
   */
  async onMessage(message: ReceivedMessage): Promise<void> {
    const change = readTicketChange(message);
    if ('invalid' in change) {
      this.counters.invalid++;
      this.log(`skipped message ${message.topic}/${message.partition}@${message.offset}: ${change.invalid}`);
      return;
    }
    const { ticketId, revision } = change;
    const last = this.timers.lastRevision(ticketId);
    if (revision !== undefined && last !== undefined && revision <= last) {
      this.counters.duplicates++;
      return;
    }
    try {
      await this.refresh(ticketId, revision);
      this.counters.applied++;
    } catch (error) {
      // Thrown, the bus redelivers after a backoff; after enough failures the partition must move on.
      if (message.attempt < (this.options.maxMessageAttempts ?? 5)) throw error;
      this.counters.failed++;
      this.log(`gave up on ticket ${ticketId} revision ${String(revision)} after ${message.attempt} attempts: ${describe(error)}`);
    }
  }

  /** Recomputes a ticket's timer from its history in the store, as a message about it does. */
  refresh(ticketId: string, atLeastRevision?: bigint): Promise<void> {
    return this.withTicket(ticketId, async () => {
      const { history, revision, policy } = await this.load(ticketId);
      if (atLeastRevision !== undefined && (revision === undefined || revision < atLeastRevision)) {
        // The message is ahead of what the store shows (a lagging replica): let the bus retry.
        throw new Error(`the store has ticket ${ticketId} at revision ${String(revision)}, a message says ${atLeastRevision}`);
      }
      if (revision === undefined) return;
      const timer = pendingTimer(nextTimerAt(history, policy));
      this.timers.save({ ticketId, revision, timer, attempts: 0 });
      // Earlier than the scheduler's next look (or already due, should the clock have jumped): look now.
      const at = timer?.at.getTime();
      if (at !== undefined && (at < this.sleepingUntil || at <= this.clock.now().getTime())) this.wake();
    });
  }

  /**
   * Brings the timers up to date from the event store itself rather than from messages: for a
   * worker whose group joins after the topic's retention dropped old messages, or whose timer
   * tables were lost. Every ticket whose last revision is above the one its timer was computed
   * from is read and timed again. Reads the whole log once; resolves with how many it refreshed.
   */
  async catchUpFromStore(): Promise<number> {
    const latest = new Map<string, bigint>();
    for await (const record of this.store.readAll()) {
      if (record.stream.startsWith(STREAM_PREFIX)) latest.set(record.stream.slice(STREAM_PREFIX.length), record.revision);
    }
    let refreshed = 0;
    for (const [ticketId, revision] of latest) {
      if (this.stopping) break;
      if ((this.timers.lastRevision(ticketId) ?? -1n) >= revision) continue;
      await this.refresh(ticketId);
      refreshed++;
    }
    return refreshed;
  }

  /**
   * Acts on every timer due now (one query per `batchSize`, earliest first) and resolves with how
   * many tickets it looked at. The scheduler calls it; tests call it after moving their clock.
   */
  runDue(): Promise<number> {
    const run = this.scanning.then(() => this.scan());
    this.scanning = run.catch(() => undefined);
    return run;
  }

  private async scan(): Promise<number> {
    let visited = 0;
    while (!this.stopping) {
      const due = this.timers.due(this.clock.now(), this.batchSize);
      for (const timer of due) {
        if (this.stopping) break;
        await this.withTicket(timer.ticketId, () => this.visitSafely(timer));
        visited++;
      }
      if (due.length < this.batchSize) break;
    }
    return visited;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.sleepingUntil = Number.POSITIVE_INFINITY;
      try {
        await this.runDue();
      } catch (error) {
        this.log(`scan failed: ${describe(error)}`);
      }
      if (this.stopping) break;
      const now = this.clock.now().getTime();
      const next = this.timers.nextDueAt()?.getTime() ?? Number.POSITIVE_INFINITY;
      const delay = Math.max(1, Math.min(this.pollIntervalMs, next - now));
      this.sleepingUntil = now + delay;
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.wokenEarly) {
      this.wokenEarly = false;
      return Promise.resolve();
    }
    return new Promise((done) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        done();
      };
      const timer = setTimeout(finish, ms);
      this.wakeUp = finish;
    });
  }

  /** Makes the scheduler look again now: at once if it sleeps, right after its scan if it is scanning. */
  private wake(): void {
    if (this.wakeUp !== undefined) this.wakeUp();
    else this.wokenEarly = true;
  }

  private async visitSafely(stored: TicketTimer): Promise<void> {
    try {
      await this.visit(stored);
    } catch (error) {
      this.log(`ticket ${stored.ticketId}: ${describe(error)}; retrying later`);
      if (stored.timer !== undefined) this.postpone(stored.ticketId, stored.revision, stored.timer, stored.attempts + 1);
    }
  }

  /**
   * A due timer: read the history again; while it still calls for a command now, send it and
   * read again (a warning and a breach both overdue after an outage go out in order); then save
   * the next timer.
   */
  private async visit(stored: TicketTimer): Promise<void> {
    let lastSent: string | undefined;
    for (let sent = 0; ; sent++) {
      const { history, revision, policy } = await this.load(stored.ticketId);
      if (revision === undefined) {
        this.timers.forget(stored.ticketId);
        return;
      }
      const next = nextTimerAt(history, policy);
      const timer = pendingTimer(next);
      if (next === undefined || timer === undefined || next.at > this.clock.now()) {
        this.timers.save({ ticketId: stored.ticketId, revision, timer, attempts: 0 });
        return;
      }
      const action = actionFor(stored.ticketId, history, next, policy);
      if (action.commandId === lastSent || sent >= MAX_ACTIONS_PER_VISIT) {
        // The fresh history still calls for what the engine just refused (or took without effect): not in a loop, later.
        this.postpone(stored.ticketId, revision, timer, stored.attempts + 1);
        return;
      }
      lastSent = action.commandId;
      const result = await this.engine.handle(action.command);
      const outcome: TimerOutcome = { ticketId: stored.ticketId, commandId: action.commandId, reason: next.reason, result: 'recorded' };
      if (result.ok) {
        outcome.result = result.repeated ? 'repeated' : 'recorded';
        this.counters[outcome.result]++;
        this.options.onAction?.(outcome);
        continue;
      }
      outcome.code = result.rejection.code;
      if (result.rejection.code === 'conflict') {
        outcome.result = 'conflict';
        this.counters.conflicts++;
        this.options.onAction?.(outcome);
        this.postpone(stored.ticketId, revision, timer, stored.attempts + 1);
        return;
      }
      // The ticket moved on since it was read (or the command is not for it): read it again.
      outcome.result = 'refused';
      this.counters.refused++;
      this.options.onAction?.(outcome);
    }
  }

  private postpone(ticketId: string, revision: bigint, timer: PendingTimer, attempts: number): void {
    const delay = Math.min(this.retry.initialDelayMs * 2 ** Math.min(attempts - 1, 30), this.retry.maxDelayMs);
    const at = new Date(this.clock.now().getTime() + delay);
    this.timers.save({ ticketId, revision, timer: { ...timer, at }, attempts });
  }

  private async load(ticketId: string): Promise<Loaded> {
    const records = await this.store.readStream(streamOf(ticketId));
    const history = records.map(fromStored);
    const opened = history[0];
    const pinned = opened?.type === 'TicketOpened' ? policyFor(opened.data.policy, this.policies) : undefined;
    return { history, revision: records.at(-1)?.revision, policy: pinned ?? this.policies[0] };
  }

  private withTicket<T>(ticketId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(ticketId);
    const run = previous === undefined ? work() : previous.then(work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(ticketId, settled);
    void settled.then(() => {
      if (this.locks.get(ticketId) === settled) this.locks.delete(ticketId);
    });
    return run;
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
