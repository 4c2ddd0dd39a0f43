import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Bus } from '@caseflow/bus';
import { openInProcessBus } from '@caseflow/bus';
import type { Actor, CommandInput, Severity, TicketEvent } from '@caseflow/domain';
import type { Clock, HandleResult } from '@caseflow/engine';
import { CommandEngine, fromStored, streamOf } from '@caseflow/engine';
import type { EventStore, Position, RecordedEvent } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { toTicketMessage } from '@caseflow/relay';
import type { SlaPolicy } from '@caseflow/sla';
import { decisionPolicyOf, defaultPolicy } from '@caseflow/sla';
import type { SlaTimerOptions } from '../src/index.js';
import { SlaTimer, SlaTimerStore, TICKET_EVENTS_TOPIC } from '../src/index.js';

export const admin: Actor = { id: 'alice', role: 'customer-admin', tenant: 'contoso' };
export const agent: Actor = { id: 'sam', role: 'agent', tenant: 'support' };
export const supervisor: Actor = { id: 'kai', role: 'supervisor', tenant: 'support' };

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** A Monday, 09:00 UTC (04:00 in New York). */
export const T0 = Date.parse('2026-11-02T09:00:00Z');

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public ms: number = T0) {}
  now(): Date {
    return new Date(this.ms);
  }
  set(ms: number): void {
    this.ms = ms;
  }
}

/** Mirrors the relay: publishes the store's new ticket events to the topic, keyed by ticket. */
export class TestRelay {
  private position: Position | undefined;
  /** The highest revision published per ticket. */
  readonly published = new Map<string, bigint>();

  constructor(
    private readonly store: EventStore,
    private readonly bus: Bus,
  ) {}

  async flush(): Promise<number> {
    const records: RecordedEvent[] = [];
    for await (const record of this.store.readAll(this.position)) records.push(record);
    await this.publish(records);
    const last = records.at(-1);
    if (last !== undefined) this.position = last.position;
    return records.length;
  }

  /** Publishes every event again from the beginning, as a relay that lost its checkpoint would. */
  async replayAll(): Promise<number> {
    const records: RecordedEvent[] = [];
    for await (const record of this.store.readAll()) records.push(record);
    await this.publish(records);
    return records.length;
  }

  private async publish(records: RecordedEvent[]): Promise<void> {
    if (records.length === 0) return;
    await this.bus.ensureTopic(TICKET_EVENTS_TOPIC, { partitions: 3 });
    await this.bus.publish(TICKET_EVENTS_TOPIC, records.map(toTicketMessage));
    for (const record of records) {
      const ticketId = String(record.metadata.ticketId);
      const seen = this.published.get(ticketId);
      if (seen === undefined || record.revision > seen) this.published.set(ticketId, record.revision);
    }
  }
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((later) => setTimeout(later, 5));
  }
}

export function accepted(result: HandleResult): void {
  if (!result.ok) throw new Error(`refused ${result.rejection.code}: ${result.rejection.message}`);
}

/** The command that opens a technical ticket for contoso's admin in the US. */
export const openTicket = (ticketId: string, { severity = 'A', plan = 'enterprise' }: { severity?: Severity; plan?: string } = {}) => ({
  type: 'open' as const, ticketId, actor: admin, tenant: 'contoso', plan, region: 'US', category: 'technical', severity,
  title: 'Mail flow down', contact: { email: 'alice@contoso.example', preferred: 'email' }, language: 'en',
});

/**
 * Opens severity A tickets on `store` three hours in the past, each a millisecond after the last, so
 * that its warning and breach are due the moment a worker learns of it.
 */
export function overdueTickets(store: EventStore): (ticketId: string) => Promise<void> {
  const clock = new ManualClock(Date.now() - 3 * HOUR);
  const engine = new CommandEngine({ store, clock, policy: decisionPolicyOf(defaultPolicy) });
  return async (ticketId) => {
    clock.set(clock.ms + 1);
    accepted(await engine.handle({ ...openTicket(ticketId), commandId: `open-${ticketId}` }));
  };
}

/** Counts the escalations recorded in `file`, through a read-only connection of its own. */
export function escalationCounter(file: string): { count: () => number; close: () => void } {
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  const count = reader.prepare<[], { n: number }>("SELECT count(*) AS n FROM events WHERE type = 'TicketEscalated'");
  return { count: () => count.get()?.n ?? 0, close: () => reader.close() };
}

export async function historyOf(store: EventStore, ticketId: string): Promise<TicketEvent[]> {
  return (await store.readStream(streamOf(ticketId))).map(fromStored);
}

/** The escalations recorded on a ticket, with the response cycle each belongs to. */
export async function escalationsOf(store: EventStore, ticketId: string) {
  let cycle = 0;
  const found: { clock: string | undefined; level: number; cycle: number; at: string; commandId: string }[] = [];
  for (const event of await historyOf(store, ticketId)) {
    if (event.type === 'TicketReopened') cycle++;
    if (event.type === 'TicketEscalated') found.push({ clock: event.data.clock, level: event.data.level, cycle, at: event.occurredAt, commandId: event.commandId });
  }
  return found;
}

export interface World {
  file: string;
  store: EventStore;
  bus: Bus;
  timers: SlaTimerStore;
  clock: ManualClock;
  engine: CommandEngine;
  relay: TestRelay;
  sla: SlaTimer;
  /** Sends a command as of the clock's instant (moved there first when given). */
  command(input: { type: CommandInput['type']; ticketId: string; actor: Actor; [field: string]: unknown }, at?: number): Promise<void>;
  open(options?: { severity?: Severity; plan?: string; at?: number }): Promise<string>;
  /** Publishes what is new and waits until the worker has applied it. */
  sync(): Promise<void>;
  /** Moves the clock, acts on what is due, and lets the worker see its own events. */
  at(ms: number): Promise<void>;
  /** A new worker on the same files (a restart), not started. */
  restart(options?: Partial<SlaTimerOptions>): Promise<void>;
  close(): Promise<void>;
}

export function openWorld(file: string, options: { policies?: SlaPolicy[]; worker?: Partial<SlaTimerOptions> } = {}): World {
  const policies = options.policies ?? [defaultPolicy];
  const store = openSqliteEventStore(file, { pollIntervalMs: 10 });
  const bus = openInProcessBus(file, { pollIntervalMs: 10 });
  const clock = new ManualClock();
  const engine = new CommandEngine({ store, clock, policy: decisionPolicyOf(policies[0] ?? defaultPolicy) });
  const relay = new TestRelay(store, bus);
  const worker = (timers: SlaTimerStore, override: Partial<SlaTimerOptions> = {}) =>
    new SlaTimer({ store, bus, timers, clock, policies, pollIntervalMs: 10, log: () => undefined, ...options.worker, ...override });

  const world: World = {
    file,
    store,
    bus,
    clock,
    engine,
    relay,
    timers: new SlaTimerStore(file, { synchronous: 'normal' }),
    sla: undefined as unknown as SlaTimer,
    async command(input, at) {
      if (at !== undefined) clock.set(at);
      accepted(await engine.handle({ commandId: randomUUID(), ...input }));
    },
    async open({ severity, plan, at } = {}) {
      const ticketId = randomUUID();
      await world.command(openTicket(ticketId, { severity, plan }), at);
      return ticketId;
    },
    async sync() {
      await relay.flush();
      await waitFor(
        () => [...relay.published].every(([ticketId, revision]) => (world.timers.lastRevision(ticketId) ?? -1n) >= revision),
        'the worker to apply every published event',
      );
    },
    async at(ms) {
      clock.set(ms);
      await world.sla.runDue();
      await world.sync();
    },
    async restart(override = {}) {
      await world.sla.stop();
      world.timers.close();
      world.timers = new SlaTimerStore(file, { synchronous: 'normal' });
      world.sla = worker(world.timers, override);
    },
    async close() {
      await world.sla.stop();
      await bus.close();
      await store.close();
      world.timers.close();
    },
  };
  world.sla = worker(world.timers);
  return world;
}

/** Resolves with a child process's exit code once it has ended (at once if it already has). */
export const exited = (child: ChildProcess) =>
  new Promise<number | null>((done) => (child.exitCode !== null || child.signalCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code))));

const WORKER_MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');

/** The built worker (dist/main.js) in child processes, as it is deployed, on one data directory. */
export class WorkerProcesses {
  /** What the workers wrote to stderr, printed when the test fails. */
  private readonly output: string[] = [];
  private readonly children: ChildProcess[] = [];

  /** `env` goes on top of the test's environment, a data directory and a 20 ms poll. */
  constructor(
    private readonly data: string,
    private readonly env: Record<string, string>,
  ) {
    if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: run \`pnpm -s build\` first (npm test does)`);
  }

  start(): ChildProcess {
    const child = spawn(process.execPath, [WORKER_MAIN], {
      env: { ...process.env, CASEFLOW_DATA: this.data, CASEFLOW_SLA_POLL_MS: '20', ...this.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    this.children.push(child);
    return child;
  }

  /** Runs `test`; prints the workers' stderr if it fails, and kills with -9 every worker still running after it. */
  async supervise(test: () => Promise<void>): Promise<void> {
    try {
      await test();
    } catch (error) {
      console.error(this.output.join(''));
      throw error;
    } finally {
      for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}
