import { setTimeout as sleep } from 'node:timers/promises';
import type { TicketFacts } from '@caseflow/analytics';
import { STREAM_PREFIX, streamOf } from '@caseflow/engine';
import type { EventStore, Position, RecordedEvent, Subscription } from '@caseflow/eventstore';
import { batchesOf } from '@caseflow/eventstore';
import type { PolicyList, SlaPolicy } from '@caseflow/sla';
import { policyList } from '@caseflow/sla';
import type { SqliteDatabase, SqliteTransaction } from '@caseflow/sqlite';
import { openSqliteFile } from '@caseflow/sqlite';
import type { TicketProgress } from './projection.js';
import { advanceTicket, factsOf, foldRecord, startFold, ticketIdOf } from './projection.js';
import type { TicketPage, TicketQuery } from './query.js';
import { checkQuery } from './query.js';
import { TicketTables } from './tables.js';

export interface TicketListOptions {
  /** The shared caseflow.db. */
  file: string;
  store: EventStore;
  /** The SLA policies tickets may have pinned; the first is the current one, used for a ticket whose pinned policy is not given. Default: the default policy. */
  policies?: readonly SlaPolicy[];
  /** Told about events that cannot be applied (they are skipped) and about failures of the subscription (it is retried). Default: stderr. */
  onError?: (error: Error) => void;
  /**
   * The generation of tables to read and write; default: the file's live one (1 on a new file).
   * A rebuild (see rebuildTicketList) fills a fresh generation, catches it up with `apply`, and then calls `makeLive` on it.
   */
  generation?: number;
  /**
   * Whether `start` goes on following the store after catching up (default true). A one-shot
   * reader (a report, an export) catches up and then reads a still table.
   */
  follow?: boolean;
}

/** Events applied in one transaction while following the store. */
const MAX_BATCH = 1_000;
/** How long to wait before subscribing again after the subscription failed. */
const RESUBSCRIBE_DELAY_MS = 1_000;
const DEFAULT_CAUGHT_UP_TIMEOUT_MS = 5_000;

type Waiter = (error?: Error) => void;

const NEEDS_STREAM = Symbol('needs its stream');

/** Rolls back a batch that holds rows a rebuild wrote (no history kept): their streams are read outside the transaction. */
class HistoriesNeeded extends Error {
  constructor(readonly ticketIds: readonly string[]) {
    super(`the streams of ${ticketIds.length} rebuilt tickets are needed`);
  }
}

/** The records above `revision`, each above the one before: duplicates in a batch are dropped too. */
function newerThan(records: readonly RecordedEvent[], revision: bigint): RecordedEvent[] {
  const newer: RecordedEvent[] = [];
  let last = revision;
  for (const record of records) {
    if (record.revision <= last) continue;
    newer.push(record);
    last = record.revision;
  }
  return newer;
}

function byTicket(records: readonly RecordedEvent[]): Map<string, RecordedEvent[]> {
  const groups = new Map<string, RecordedEvent[]>();
  for (const record of records) {
    const ticketId = ticketIdOf(record);
    if (ticketId === undefined) continue;
    const group = groups.get(ticketId);
    if (group === undefined) groups.set(ticketId, [record]);
    else group.push(record);
  }
  return groups;
}

/**
 * The ticket list behind `GET /v1/tickets`: one row per ticket in the shared SQLite file, kept up
 * to date from the event store's subscription and checkpointed with the rows it changed.
 *
 * Each row holds the ticket's summary and, beside it, a compact history, so an event costs one
 * fold and one SLA clock computation over that ticket's events, never a read of its stream.
 * `breachAt` is computed when an event arrives: without another event the clocks run on as
 * computed, so "breachAt <= now" is exact at any now.
 *
 * Several lists may share a file (other processes): applying is idempotent by (ticket, revision),
 * and whoever applies an event first writes the row that everyone reads. A list is started once;
 * `stop` also closes its connection.
 */
export class TicketList {
  /** The generation of tables this list reads and writes. */
  readonly generation: number;
  private readonly db: SqliteDatabase;
  private readonly tables: TicketTables;
  private readonly store: EventStore;
  private readonly policies: PolicyList;
  private readonly report: (error: Error) => void;
  private readonly applyBatch: SqliteTransaction<
    (groups: ReadonlyMap<string, RecordedEvent[]>, position: Position, streams: ReadonlyMap<string, readonly RecordedEvent[]>) => void
  >;
  private position: Position | undefined;
  private readonly waiters = new Map<Position, Set<Waiter>>();
  private readonly stopping = new AbortController();
  private readonly follows: boolean;
  private running: Promise<void> | undefined;
  private subscription: Subscription | undefined;

  constructor(options: TicketListOptions) {
    // A read model can be rebuilt from the log, so its commits need not wait for the disk.
    const { db, file } = openSqliteFile(options.file, { synchronous: 'normal' });
    this.db = db;
    try {
      this.tables = new TicketTables(db, file, options.generation);
    } catch (error) {
      db.close();
      throw error;
    }
    this.generation = this.tables.generation;
    this.store = options.store;
    this.follows = options.follow ?? true;
    this.policies = policyList(options.policies);
    this.report = options.onError ?? ((error) => console.error(`caseflow readmodel: ${error.message}`));
    this.fillMissingFacts();
    this.position = this.tables.checkpoint();
    this.applyBatch = db.transaction((groups: ReadonlyMap<string, RecordedEvent[]>, position: Position, streams: ReadonlyMap<string, readonly RecordedEvent[]>) => {
      const needed: string[] = [];
      for (const [ticketId, ticketRecords] of groups) {
        const progress = this.progressOf(ticketId, streams);
        if (progress === NEEDS_STREAM) {
          needed.push(ticketId);
          continue;
        }
        const fresh = newerThan(ticketRecords, progress?.revision ?? -1n);
        if (fresh.length === 0) continue;
        const projected = advanceTicket(progress, fresh, this.policies, this.report);
        if (projected !== undefined) this.tables.save(projected);
      }
      // Rolls the batch back: apply reads these streams and runs it again.
      if (needed.length > 0) throw new HistoriesNeeded(needed);
      this.tables.saveCheckpoint(position);
    });
  }

  /** Catches up from the saved checkpoint, then (unless `follow` is false) follows the store's subscription. Resolves once caught up to the log's end at start time. */
  async start(): Promise<void> {
    if (this.running !== undefined || this.stopping.signal.aborted) throw new Error('a TicketList is started once');
    const caughtUp = this.catchUp();
    this.running = caughtUp.then(
      () => (this.follows ? this.follow() : undefined),
      () => undefined,
    );
    await caughtUp;
  }

  /** Stops following, rejects pending `caughtUpTo` calls, and closes the connection. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.subscription?.close();
    await this.running;
    for (const waiting of this.waiters.values()) for (const waiter of waiting) waiter(new Error('the ticket list stopped'));
    if (this.db.open) this.db.close();
  }

  /**
   * Applies recorded events in one transaction and moves the checkpoint to the last one (used by
   * start and by a rebuild). A ticket whose row a rebuild wrote has no history kept yet: the
   * transaction rolls back, the streams of such tickets are read (once, outside it), and it runs
   * again with them. Idempotent by (ticket, revision): an event at or below a ticket's stored
   * revision is skipped. Events of other streams only move the checkpoint.
   */
  async apply(records: readonly RecordedEvent[]): Promise<void> {
    const last = records.at(-1);
    if (last === undefined) return;
    const groups = byTicket(records);
    const streams = new Map<string, readonly RecordedEvent[]>();
    for (;;) {
      try {
        this.applyBatch.immediate(groups, last.position, streams);
        break;
      } catch (error) {
        if (!(error instanceof HistoriesNeeded)) throw error;
        for (const ticketId of error.ticketIds) streams.set(ticketId, await this.store.readStream(streamOf(ticketId)));
      }
    }
    this.position = last.position;
    this.wake(records);
  }

  query(query: TicketQuery, now: Date): TicketPage {
    return this.tables.list(checkQuery(query, now));
  }

  /**
   * Resolves once the list has applied the event at this position (read-your-writes for the
   * API); rejects after `timeoutMs`, or when the list stops. The position must be a ticket
   * event's: no other is ever applied.
   */
  caughtUpTo(position: Position, timeoutMs = DEFAULT_CAUGHT_UP_TIMEOUT_MS): Promise<void> {
    if (position === this.position) return Promise.resolve();
    const from = this.position;
    return new Promise((resolve, reject) => {
      const waiting = this.waiters.get(position) ?? new Set<Waiter>();
      this.waiters.set(position, waiting);
      let settled = false;
      const settle: Waiter = (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        waiting.delete(settle);
        if (waiting.size === 0 && this.waiters.get(position) === waiting) this.waiters.delete(position);
        if (error === undefined) resolve();
        else reject(error);
      };
      const timer = setTimeout(() => settle(new Error(`the ticket list did not reach position ${position} within ${timeoutMs} ms`)), timeoutMs);
      waiting.add(settle);
      this.comesAfter(position, from).then(
        (ahead) => {
          if (!ahead) settle();
        },
        (error: unknown) => settle(error as Error),
      );
    });
  }

  /** The last applied position, undefined before any. */
  checkpoint(): Position | undefined {
    return this.position;
  }

  /**
   * Every ticket's report facts under its pinned policy, in ticket id order: what `report sla`
   * and `report states` read without replaying the log. Iterate it before the list applies more.
   */
  facts(): IterableIterator<TicketFacts> {
    return this.tables.facts();
  }

  /** Rows in the list (for /metrics and readiness). */
  count(): number {
    return this.tables.count();
  }

  /** Makes this list's generation the one new lists open by default (the swap at the end of a rebuild). */
  makeLive(): void {
    this.tables.makeLive();
  }

  /** What the list holds of a ticket, the history of a row a rebuild wrote refolded from its stream; NEEDS_STREAM when that stream is not in `streams`. */
  private progressOf(ticketId: string, streams: ReadonlyMap<string, readonly RecordedEvent[]>): TicketProgress | undefined | typeof NEEDS_STREAM {
    const stored = this.tables.progress(ticketId);
    if (stored?.history !== undefined) return { revision: stored.revision, history: stored.history };
    if (stored === undefined) return undefined;
    const stream = streams.get(ticketId);
    if (stream === undefined) return NEEDS_STREAM;
    const ticketFold = startFold();
    for (const record of stream) if (record.revision <= stored.revision) foldRecord(ticketFold, record, this.report);
    return { revision: stored.revision, history: ticketFold.history };
  }

  /** A generation written before the list kept report facts gets them from the histories it holds, without reading the log. */
  private fillMissingFacts(): void {
    const fill = this.db.transaction((tickets: ReturnType<TicketTables['withoutFacts']>) => {
      for (const ticket of tickets) {
        try {
          this.tables.saveFacts(factsOf(ticket, this.policies));
        } catch (cause) {
          this.report(new Error(`ticket list: no report facts for ticket ${ticket.id}: ${(cause as Error).message}`, { cause }));
        }
      }
    });
    let after = '';
    for (;;) {
      const batch = this.tables.withoutFacts(after, MAX_BATCH);
      const last = batch.at(-1);
      if (last === undefined) return;
      fill.immediate(batch);
      after = last.id;
    }
  }

  private async catchUp(): Promise<void> {
    this.position = this.tables.checkpoint();
    for await (const batch of batchesOf(this.store.readAll(this.position), MAX_BATCH)) {
      if (this.stopping.signal.aborted) return;
      await this.apply(batch);
    }
  }

  private async follow(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      const subscription = this.store.subscribeToAll(this.position, { streamPrefix: STREAM_PREFIX });
      this.subscription = subscription;
      try {
        for await (const batch of batchesOf(subscription, MAX_BATCH)) await this.apply(batch);
        if (!signal.aborted) this.report(new Error('ticket list: the event store subscription ended; subscribing again'));
      } catch (error) {
        this.report(new Error(`ticket list: following the event store failed; subscribing again: ${(error as Error).message}`, { cause: error }));
      } finally {
        await subscription.close();
      }
      // Resumes from the checkpoint: whatever the failed batch held is read again.
      await sleep(RESUBSCRIBE_DELAY_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  private wake(records: readonly RecordedEvent[]): void {
    if (this.waiters.size === 0) return;
    for (const { position } of records) {
      const waiting = this.waiters.get(position);
      if (waiting !== undefined) for (const waiter of waiting) waiter();
    }
  }

  /** Whether `position` comes after `from` in the log. Positions are opaque, so the store is asked: is it among the events after `from`? */
  private async comesAfter(position: Position, from: Position | undefined): Promise<boolean> {
    for await (const record of this.store.readAll(from)) if (record.position === position) return true;
    return false;
  }
}
