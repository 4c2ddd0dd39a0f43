import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor, CommandInput, Plan, Severity } from '@caseflow/domain';
import type { Clock, Handled, HandleResult } from '@caseflow/engine';
import { CommandEngine, streamOf } from '@caseflow/engine';
import type { EventStore, Position, RecordedEvent, SqliteEventStore } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import type { SlaPolicy } from '@caseflow/sla';
import { decisionPolicyOf, defaultPolicy, parsePolicy } from '@caseflow/sla';
import type { TicketListOptions, TicketPage, TicketQuery } from '../src/index.js';
import { TicketList } from '../src/index.js';

export const agent: Actor = { id: 'sam', role: 'agent', tenant: 'support' };
export const supervisor: Actor = { id: 'maria', role: 'supervisor', tenant: 'support' };
export const adminOf = (tenant: string): Actor => ({ id: `admin@${tenant}`, role: 'customer-admin', tenant });

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** A Monday, 09:00 UTC. */
export const T0 = Date.parse('2026-11-02T09:00:00Z');
export const iso = (ms: number) => new Date(ms).toISOString();

/** The default policy plus an 8 h resolution clock that pauses while the ticket awaits the customer. */
export const resolutionPolicy: SlaPolicy = parsePolicy({
  ...defaultPolicy,
  id: 'readmodel-test',
  clocks: [
    ...defaultPolicy.clocks,
    {
      name: 'resolution',
      startedBy: ['TicketOpened', 'TicketReopened'],
      fulfilledBy: ['TicketResolved'],
      stoppedBy: ['TicketClosed'],
      pausedIn: ['awaitingCustomer', 'downgraded'],
      targets: Object.fromEntries(
        Object.entries(defaultPolicy.clocks[0]?.targets ?? {}).map(([plan, byCategory]) => [
          plan,
          Object.fromEntries(Object.keys(byCategory).map((category) => [category, Object.fromEntries(['A', 'B', 'C'].map((s) => [s, { within: 'PT8H', calendar: '24x7' }]))])),
        ]),
      ),
    },
  ],
});

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((later) => setTimeout(later, 5));
  }
}

/** A temporary directory for the test file's SQLite files; `remove` in afterAll. */
export function scratchDirectory(): { file: () => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'caseflow-readmodel-'));
  return { file: () => join(dir, `${randomUUID()}.db`), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface OpenTicket {
  /** Default: a random UUID. Rebuilds fold tickets in id order, so a test may pick where one falls. */
  ticketId?: string;
  tenant?: string;
  severity?: Severity;
  plan?: Plan;
  title?: string;
  at?: number;
}

type CommandFields = { type: CommandInput['type']; ticketId: string; actor: Actor } & Record<string, unknown>;

/** A store, an engine on a clock the test moves by hand, and the ticket lists opened on the file. */
export class World {
  readonly store: SqliteEventStore;
  readonly engine: CommandEngine;
  now = T0;
  private readonly lists: TicketList[] = [];

  constructor(
    readonly file: string,
    readonly policy: SlaPolicy = defaultPolicy,
  ) {
    this.store = openSqliteEventStore(file, { pollIntervalMs: 10 });
    const clock: Clock = { now: () => new Date(this.now) };
    this.engine = new CommandEngine({ store: this.store, clock, policy: decisionPolicyOf(policy) });
  }

  /** A ticket list on the world's file, closed with the world. */
  list(options: Partial<TicketListOptions> = {}): TicketList {
    const list = new TicketList({ file: this.file, store: this.store, policies: [this.policy], ...options });
    this.lists.push(list);
    return list;
  }

  async started(options: Partial<TicketListOptions> = {}): Promise<TicketList> {
    const list = this.list(options);
    await list.start();
    return list;
  }

  /** Sends a command as of `at` (default: the world's now); the result, accepted or not. */
  async send(fields: CommandFields, at?: number): Promise<HandleResult> {
    if (at !== undefined) this.now = at;
    return this.engine.handle({ commandId: randomUUID(), ...fields });
  }

  /** Sends a command that must be accepted. */
  async command(fields: CommandFields, at?: number): Promise<Handled> {
    const result = await this.send(fields, at);
    if (!result.ok) throw new Error(`refused ${result.rejection.code}: ${result.rejection.message}`);
    return result;
  }

  async open({ ticketId = randomUUID(), tenant = 'contoso', severity = 'B', plan = 'enterprise', title = 'Mail flow down', at }: OpenTicket = {}): Promise<string> {
    await this.command(
      {
        type: 'open', ticketId, actor: adminOf(tenant), tenant, plan, region: 'US', category: 'technical', severity,
        title, contact: { email: `admin@${tenant}.example`, preferred: 'email' }, language: 'en',
      },
      at,
    );
    return ticketId;
  }

  async log(): Promise<RecordedEvent[]> {
    const records: RecordedEvent[] = [];
    for await (const record of this.store.readAll()) records.push(record);
    return records;
  }

  /** The position of the ticket's last event. */
  async positionOf(ticketId: string): Promise<Position> {
    const last = (await this.store.readStream(streamOf(ticketId))).at(-1);
    if (last === undefined) throw new Error(`no ticket ${ticketId}`);
    return last.position;
  }

  async close(): Promise<void> {
    await Promise.all(this.lists.splice(0).map((list) => list.stop()));
    await this.store.close();
  }
}

/** Every page of a query, in the order served: what a client walking the list would see. */
export function everyPage(list: TicketList, query: TicketQuery, now: Date): TicketPage[] {
  const pages: TicketPage[] = [];
  let cursor: string | undefined;
  do {
    const page = list.query({ ...query, ...(cursor === undefined ? {} : { cursor }) }, now);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return pages;
}

/**
 * The store seen through the EventStore port alone, so that code which reads SQLite its own way
 * takes the path every other adapter gets. `beforeReadStream` is awaited before each stream read:
 * a test holds a reader there while it appends.
 */
export function throughPort(store: EventStore, { beforeReadStream }: { beforeReadStream?: () => Promise<void> } = {}): EventStore {
  return {
    appendToStream: (stream, events, expected) => store.appendToStream(stream, events, expected),
    readStream: async (stream, options) => {
      await beforeReadStream?.();
      return store.readStream(stream, options);
    },
    readAll: (fromPosition) => store.readAll(fromPosition),
    subscribeToAll: (fromCheckpoint, filter) => store.subscribeToAll(fromCheckpoint, filter),
    // The store stays its owner's to close.
    close: () => Promise.resolve(),
  };
}
