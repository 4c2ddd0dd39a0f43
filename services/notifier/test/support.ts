import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { Bus, ReceivedMessage, Subscription } from '@caseflow/bus';
import { openInProcessBus } from '@caseflow/bus';
import type { Actor } from '@caseflow/domain';
import { defaultDecisionPolicy } from '@caseflow/domain';
import { CommandEngine, streamOf } from '@caseflow/engine';
import { toTicketMessage } from '@caseflow/relay';
import type { EventStore, RecordedEvent } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import type { DeadLetter, NotifierOptions } from '../src/index.js';
import { NOTIFICATIONS_DLQ_TOPIC, NotificationLedger, Notifier, TICKET_EVENTS_TOPIC } from '../src/index.js';

export const admin = (tenant = 'contoso'): Actor => ({ id: 'alice', role: 'customer-admin', tenant });
export const agent = (id = 'sam'): Actor => ({ id, role: 'agent', tenant: 'support' });
export const slaTimer: Actor = { id: 'sla-timer', role: 'service', tenant: 'support' };

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

// --- a caseflow world: event store, engine, bus and ledger on one SQLite file ------------------

/** Where a world publishes ticket events, where its notifiers dead-letter, and the group they join by default. */
export interface WorldRouting {
  topic: string;
  dlqTopic: string;
  group: string;
}

/** Partitions of a world's ticket events topic. */
export const TICKET_TOPIC_PARTITIONS = 3;

const PRODUCTION_ROUTING: WorldRouting = { topic: TICKET_EVENTS_TOPIC, dlqTopic: NOTIFICATIONS_DLQ_TOPIC, group: 'notifier' };

/** Topics and a group no other test uses: for a shared broker. */
export const uniqueRouting = (name: string): WorldRouting => {
  const id = `${name}.${randomUUID()}`;
  return { topic: `caseflow.notifier-test.${id}.ticket-events`, dlqTopic: `caseflow.notifier-test.${id}.dlq`, group: `notifier-test.${id}` };
};

export class World {
  readonly store: EventStore;
  readonly bus: Bus;
  readonly engine: CommandEngine;
  ledger: NotificationLedger;
  /** The instant the next command happens at; each command moves it one minute on. */
  now = Date.parse('2026-11-02T09:00:00Z');
  readonly deadLetters: DeadLetter[] = [];
  /** The dead-letter topic's messages as received (key and headers included), in the order of `deadLetters`. */
  readonly deadLetterMessages: ReceivedMessage[] = [];
  private readonly notifiers: Notifier[] = [];
  private dlqSubscription: Subscription | undefined;

  /** Without a bus, the world has an in-process bus in its file; a bus given is the world's to close. */
  constructor(
    readonly file: string,
    bus?: Bus,
    readonly routing: WorldRouting = PRODUCTION_ROUTING,
  ) {
    this.store = openSqliteEventStore(file);
    this.bus = bus ?? openInProcessBus(file, { pollIntervalMs: 10 });
    this.ledger = new NotificationLedger(file);
    this.engine = new CommandEngine({
      store: this.store,
      clock: {
        now: () => {
          const at = new Date(this.now);
          this.now += 60_000;
          return at;
        },
      },
      policy: defaultDecisionPolicy,
    });
  }

  /**
   * A world in a new file of `dir`, reading its dead-letter topic from the start. By default on an
   * in-process bus with the production topics; `bus` (the world's to close) and `routing` put it elsewhere.
   */
  static async open(dir: string, { bus, routing = PRODUCTION_ROUTING }: { bus?: Bus; routing?: WorldRouting } = {}): Promise<World> {
    const world = new World(join(dir, `${randomUUID()}.db`), bus, routing);
    await world.bus.ensureTopic(routing.topic, { partitions: TICKET_TOPIC_PARTITIONS });
    await world.bus.ensureTopic(routing.dlqTopic, { partitions: 1 });
    world.dlqSubscription = await world.bus.subscribe({ group: `${routing.group}.dlq-reader`, topics: [routing.dlqTopic], fromBeginning: true }, (message) => {
      world.deadLetters.push(JSON.parse(message.value.toString('utf8')) as DeadLetter);
      world.deadLetterMessages.push(message);
      return Promise.resolve();
    });
    return world;
  }

  async notifier(options: Partial<NotifierOptions> & Pick<NotifierOptions, 'email'>): Promise<Notifier> {
    const notifier = new Notifier({
      bus: this.bus,
      ledger: this.ledger,
      topic: this.routing.topic,
      dlqTopic: this.routing.dlqTopic,
      group: this.routing.group,
      sleep: () => Promise.resolve(),
      log: () => undefined,
      ...options,
    });
    await notifier.start();
    this.notifiers.push(notifier);
    return notifier;
  }

  /** Handles a command and returns its recorded events (as stored). */
  async run(command: Record<string, unknown>): Promise<RecordedEvent[]> {
    const result = await this.engine.handle({ commandId: randomUUID(), ...command });
    if (!result.ok) throw new Error(`${String(command.type)} refused: ${result.rejection.message}`);
    const records = await this.store.readStream(streamOf(result.ticketId));
    return records.slice(records.length - result.events.length);
  }

  /** Handles a command and publishes its events as the relay would. */
  async act(command: Record<string, unknown>): Promise<RecordedEvent[]> {
    const records = await this.run(command);
    await this.publish(records);
    return records;
  }

  /** Publishes stored events exactly as the relay encodes them. */
  async publish(records: readonly RecordedEvent[]): Promise<void> {
    await this.bus.publish(this.routing.topic, records.map(toTicketMessage));
  }

  async open(fields: Record<string, unknown> = {}): Promise<{ ticketId: string; records: RecordedEvent[] }> {
    const ticketId = randomUUID();
    const records = await this.act({
      type: 'open',
      ticketId,
      actor: admin(typeof fields.tenant === 'string' ? fields.tenant : 'contoso'),
      tenant: 'contoso',
      plan: 'enterprise',
      region: 'US',
      category: 'technical',
      severity: 'B',
      title: 'Mail flow down',
      contact: { email: 'alice@contoso.example', preferred: 'email' },
      language: 'en',
      ...fields,
    });
    return { ticketId, records };
  }

  async stopNotifiers(): Promise<void> {
    for (const notifier of this.notifiers.splice(0)) await notifier.stop();
  }

  async close(): Promise<void> {
    await this.stopNotifiers();
    await this.dlqSubscription?.close();
    await this.bus.close();
    await this.store.close();
    this.ledger.close();
  }
}

// --- a real SMTP server ------------------------------------------------------------------------

export interface ReceivedMail {
  envelopeTo: string[];
  headers: Map<string, string>;
  subject: string;
  text: string;
  raw: string;
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const joined = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i] as string;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words; adjacent words are decoded together, so a character split across them survives. */
function decodeHeader(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  return value.replace(/(?:=\?[^?]+\?[BbQq]\?[^?]*\?=\s*)+/g, (run) => {
    const bytes = [...run.matchAll(word)].map(([, , encoding, data = '']) =>
      encoding?.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
    const trailing = /\s+$/.exec(run)?.[0] ?? '';
    return Buffer.concat(bytes).toString('utf8') + trailing;
  });
}

/** Just enough of RFC 5322 + MIME for nodemailer's single-part text messages. */
export function parseMail(raw: string, envelopeTo: string[] = []): ReceivedMail {
  const unix = raw.replace(/\r\n/g, '\n');
  const split = unix.indexOf('\n\n');
  const head = unix.slice(0, split).replace(/\n[ \t]+/g, ' ');
  const body = unix.slice(split + 2);
  const headers = new Map<string, string>();
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), decodeHeader(line.slice(colon + 1).trim()));
  }
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const decoded =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body).toString('utf8')
      : encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : Buffer.from(body, 'latin1').toString('utf8');
  return { envelopeTo, headers, subject: headers.get('subject') ?? '', text: decoded, raw };
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtp(): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        mails.push(parseMail(Buffer.concat(chunks).toString('latin1'), to));
        callback();
      });
    },
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    to: (address) => mails.filter((m) => m.envelopeTo.includes(address)),
    close: () => new Promise<void>((done) => server.close(done)),
  };
}

/** A TCP port nothing listens on (taken and released). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

// --- a real webhook receiver -------------------------------------------------------------------

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface HookReceiver {
  url: string;
  requests: ReceivedHook[];
  /** Statuses for the next requests, in order; 204 once they run out. */
  answers: number[];
  close(): Promise<void>;
}

export async function startHookReceiver(): Promise<HookReceiver> {
  const requests: ReceivedHook[] = [];
  const answers: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = answers.shift() ?? 204;
      requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/caseflow`,
    requests,
    answers,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

// --- what a test file shares ---------------------------------------------------------------------

/** An address no other test mails to. */
export const address = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}@example.test`;

/**
 * A test file's scratch directory (prefix `prefix`), SMTP server and webhook receiver, started
 * before its tests and closed after them, and the worlds its tests open, each closed after its test.
 */
export function notifierTestBed(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let smtp: SmtpSink | undefined;
  let hooks: HookReceiver | undefined;
  const worlds: World[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    hooks = await startHookReceiver();
  });
  afterEach(async () => {
    for (const world of worlds.splice(0)) await world.close();
  });
  afterAll(async () => {
    await smtp?.close();
    await hooks?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const started = <T>(server: T | undefined): T => {
    if (server === undefined) throw new Error('the test servers start in beforeAll');
    return server;
  };
  return {
    dir,
    get smtp(): SmtpSink {
      return started(smtp);
    },
    get hooks(): HookReceiver {
      return started(hooks);
    },
    /** The notifier's email transport to the SMTP server. */
    smtpConfig: () => ({ kind: 'smtp' as const, host: '127.0.0.1', port: started(smtp).port, ignoreTLS: true }),
    /** A world in the directory (see World.open), closed after the test. */
    world: async (options?: Parameters<typeof World.open>[1]): Promise<World> => {
      const world = await World.open(dir, options);
      worlds.push(world);
      return world;
    },
  };
}
