import { availableParallelism } from 'node:os';
import { STREAM_PREFIX, readTicketStreams, ticketStreamsAfter } from '@caseflow/engine';
import type { EventStore, Position, RecordedEvent, StreamRange } from '@caseflow/eventstore';
import { SqliteEventStore } from '@caseflow/eventstore';
import type { PolicyList, SlaPolicy } from '@caseflow/sla';
import { policyList } from '@caseflow/sla';
import type { SqliteDatabase } from '@caseflow/sqlite';
import { openSqliteFile } from '@caseflow/sqlite';
import type { PartitionBatch, PartitionSource } from './fold-partition.js';
import { foldPartition } from './fold-partition.js';
import { FoldWorkers, portPartitionSource, sqlitePartitionSource, workerScript } from './partitions.js';
import { advanceTicket } from './projection.js';
import type { DeferredIndexes } from './tables.js';
import { Generations, TicketTables, storedTicketOf } from './tables.js';
import { TicketList } from './ticket-list.js';
export interface RebuildOptions {
  /** The shared caseflow.db. */
  file: string;
  store: EventStore;
  /** As for TicketList: the first is the current policy. */
  policies?: readonly SlaPolicy[];
  /**
   * Refold only the tickets with events after this position (and any the live generation has not
   * caught up with); every other ticket's rows are copied from the live generation. Without it,
   * every ticket is folded from the whole log.
   */
  from?: Position;
  /** Told after each batch of tickets, and once at the end. */
  onProgress?: (progress: RebuildProgress) => void;
  /** Stops between batches; what is done stays checkpointed, and the next rebuild resumes there. */
  signal?: AbortSignal;
  onError?: (error: Error) => void;
  /** Tickets written per transaction (default 1,000): a positive whole number. */
  batchSize?: number;
  /**
   * Threads that fold a full rebuild of a SQLite store, each a range of the ticket streams, while
   * this one writes: 0 folds here. Default: one per CPU, at most four. Other stores, and a
   * rebuild from a position, fold here.
   */
  threads?: number;
  /**
   * Events a folding thread folds between checkpoints (default 1,000,000): what an interrupted run
   * folds again at most, per thread. Each checkpoint writes every ticket the thread holds.
   */
  checkpointEvents?: number;
  /** Tickets a folding thread holds in memory at most (default 6,000): what bounds memory, whatever the log's size. */
  maxTickets?: number;
}

export interface RebuildProgress {
  generation: number;
  /** Events folded so far, in this run and the runs it resumes. */
  events: number;
  /** The events to fold when the rebuild began: every ticket event up to then (with `from`, every event of the tickets it folds again); undefined when the store cannot count. */
  totalEvents: number | undefined;
  tickets: number;
}

export interface RebuildResult extends RebuildProgress {
  /** The generation that was live before: a server started earlier still reads it (and keeps it current) until it restarts. */
  replaced: number;
  /** Whether this run carried on from an interrupted one. */
  resumed: boolean;
  /** Stopped by the signal before the swap: run again to resume. */
  interrupted: boolean;
}

/** One range of the ticket streams of a full rebuild, with its own checkpoint. */
interface PartitionState {
  /** Undefined for a store read through the port: one partition, every ticket stream. */
  range: StreamRange | null;
  /** The position the range is folded up to, with every ticket of it written as of there. */
  after: Position | null;
  /** Events and tickets folded up to `after`. */
  events: number;
  tickets: number;
  done: boolean;
}

/** What an unfinished rebuild keeps in the catalogue, so that the next run resumes where it stopped. */
interface RebuildState {
  from: Position | null;
  /** With `from`: the checkpoint of the generation whose rows were copied, read before the copy (see `streamsToRefold`). */
  copied: Position | null;
  /** The log's last position when the rebuild began: the folds stop there, and the new generation follows the log from there. */
  high: Position | null;
  /** See RebuildProgress.totalEvents; null when the store cannot count. */
  totalEvents: number | null;
  /** Without `from`: the ranges folded in log order. */
  partitions: PartitionState[];
  /** With `from`: the tickets folded again one stream at a time, in stream order, up to the stream `after`. */
  refolded: { after: string; events: number; tickets: number };
}

/**
 * Small, because a folding thread keeps the tickets it has projected until it hands them on:
 * batches of 1,000 die young, where batches of 5,000 outlived young-generation collections and
 * made a million-event rebuild some 4% slower.
 */
const DEFAULT_BATCH = 1_000;
const DEFAULT_CHECKPOINT_EVENTS = 1_000_000;
/**
 * A little above the open tickets of one thread's share of the benchmark's log (4,500-5,000), so
 * that few tickets are let go and folded again (about 1%). V8 lets a heap grow to a few times what
 * is live, so this bound sets peak memory: with 10,000, each thread also held closed tickets that
 * would not change, and a log of 2M events peaked some 15% above one of 1M.
 */
const DEFAULT_MAX_TICKETS = 6_000;
const MAX_DEFAULT_THREADS = 4;

function positiveWhole(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive whole number; got ${value}`);
  return value;
}

async function lastPositionOf(store: EventStore): Promise<Position | undefined> {
  if (store instanceof SqliteEventStore) return store.lastPosition();
  let last: Position | undefined;
  for await (const { position } of store.readAll()) last = position;
  return last;
}

/**
 * The ticket streams a rebuild from `from` folds again. Besides those with events after `from`,
 * those with events after the copied rows' own checkpoint: a live list that lagged behind `from`
 * copies rows that miss them, and following the log from `high` would never bring them. Reading
 * after `from` also refuses a position the store does not take, so it runs before anything is written.
 */
async function streamsToRefold(store: EventStore, from: Position, copied: Position | null): Promise<string[]> {
  const streams = new Set(await ticketStreamsAfter(store, from));
  for (const stream of await ticketStreamsAfter(store, copied ?? undefined)) streams.add(stream);
  return [...streams].sort();
}

/** The ranges a full rebuild folds: one per thread for a SQLite store (as even as its index allows), one through any other store. */
function partitionsOf(store: EventStore, threads: number, ticketEvents: number | undefined): PartitionState[] {
  const ranges = store instanceof SqliteEventStore ? store.splitStreams(STREAM_PREFIX, Math.max(threads, 1), ticketEvents) : [null];
  return ranges.map((range) => ({ range, after: null, events: 0, tickets: 0, done: false }));
}

const isRebuildState = (state: unknown): state is RebuildState =>
  typeof state === 'object' && state !== null && Array.isArray((state as RebuildState).partitions) && typeof (state as RebuildState).refolded === 'object';

/**
 * A full rebuild writes a ticket again only with more of its events (after letting it go, or
 * after a checkpoint), so its tables can take rows without keys until the end; a rebuild from a
 * position replaces copied rows, which needs them.
 */
const deferredFor = (from: Position | null): DeferredIndexes => ({ deferIndexes: true, deferKeys: from === null });

/** Thrown by a fold in this thread when the signal stops it between batches. */
class Stopped extends Error {}

/**
 * Rebuilds the ticket list and its report facts from the event log into a fresh generation, then
 * swaps it in. The live generation keeps serving (and following the log) until the swap, so
 * nothing reads half-built tables.
 *
 * A full rebuild splits the ticket streams into ranges, one per thread, and each thread folds its
 * range in log order (see foldPartition) while this one writes what they fold; each range has its
 * own checkpoint, kept with the rows it covers, and an interrupted rebuild resumes every range
 * from its own. A rebuild from a position folds its few tickets here, stream by stream. Rows are
 * written without their compact histories: the list reads a ticket's stream the first time it
 * needs one (see TicketList.apply). The state is cleared with the swap, so a run that fails while
 * catching up resumes with every ticket folded.
 */
export async function rebuildTicketList(options: RebuildOptions): Promise<RebuildResult> {
  const { store, signal } = options;
  const policies = policyList(options.policies);
  const report = options.onError ?? ((error: Error) => console.error(`caseflow rebuild: ${error.message}`));
  const batchSize = positiveWhole(options.batchSize ?? DEFAULT_BATCH, 'batchSize');
  const checkpointEvents = positiveWhole(options.checkpointEvents ?? DEFAULT_CHECKPOINT_EVENTS, 'checkpointEvents');
  const maxTickets = positiveWhole(options.maxTickets ?? DEFAULT_MAX_TICKETS, 'maxTickets');
  const threads = options.threads ?? Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
  if (!Number.isSafeInteger(threads) || threads < 0) throw new RangeError(`threads must be a whole number, 0 or more; got ${threads}`);
  const from = options.from ?? null;

  const { db } = openSqliteFile(options.file, { synchronous: 'normal' });
  // Started first, so that they load while the log is counted and split. A resumed rebuild may
  // need fewer (FoldWorkers ends the rest) or, made with more threads, more.
  const script = from === null && threads > 0 && store instanceof SqliteEventStore ? workerScript() : undefined;
  const workers = script === undefined ? undefined : new FoldWorkers(script, threads);
  try {
    // Opening the live tables first makes sure the catalogue exists and is migrated.
    const live = new TicketTables(db, options.file);
    const replaced = live.generation;
    const generations = new Generations(db);
    const unfinished = generations.unfinishedRebuild();
    const saved: unknown = unfinished === undefined ? undefined : JSON.parse(unfinished.state);
    const resumed = unfinished !== undefined && isRebuildState(saved) && saved.from === from;
    let generation: number;
    let state: RebuildState;
    let tables: TicketTables;
    /** With `from`: the streams to fold again, read after `high` (so that none up to it is missed), once per run. */
    let toRefold: string[] = [];
    if (resumed) {
      generation = unfinished.generation;
      state = saved;
      tables = new TicketTables(db, options.file, generation, deferredFor(from));
      if (from !== null) toRefold = await streamsToRefold(store, from, state.copied);
    } else {
      // In this order: rows copied after their checkpoint is read are at least that current, and a
      // ticket with events up to `high` is either refolded or in those rows (see streamsToRefold).
      const copied = from === null ? null : (live.checkpoint() ?? null);
      const high = (await lastPositionOf(store)) ?? null;
      if (from !== null) toRefold = await streamsToRefold(store, from, copied);
      const totalEvents = !(store instanceof SqliteEventStore)
        ? undefined
        : from === null
          ? store.countStreamEvents(STREAM_PREFIX, high ?? undefined)
          : store.countInStreams(toRefold);
      state = {
        from,
        copied,
        high,
        totalEvents: totalEvents ?? null,
        partitions: from === null && high !== null ? partitionsOf(store, threads, totalEvents) : [],
        refolded: { after: '', events: 0, tickets: 0 },
      };
      // One transaction, so that no failure leaves a generation the catalogue cannot resume; the
      // number is taken before the unfinished one is dropped, so that none is ever used twice.
      [generation, tables] = db
        .transaction((): [number, TicketTables] => {
          const fresh = generations.next();
          if (unfinished !== undefined) generations.drop(unfinished.generation);
          const freshTables = new TicketTables(db, options.file, fresh, deferredFor(from));
          if (from !== null) generations.copy(replaced, fresh);
          freshTables.saveRebuildState(JSON.stringify(state));
          return [fresh, freshTables];
        })
        .immediate();
    }

    /** Per partition: what it folded since its last checkpoint (folded again if this run stops). */
    const sinceCheckpoint = state.partitions.map(() => ({ events: 0, tickets: 0 }));
    const progress = (): RebuildProgress => {
      let events = state.refolded.events;
      let tickets = state.refolded.tickets;
      state.partitions.forEach((partition, i) => {
        events += partition.events + (sinceCheckpoint[i]?.events ?? 0);
        tickets += partition.tickets + (sinceCheckpoint[i]?.tickets ?? 0);
      });
      return { generation, events, totalEvents: state.totalEvents ?? undefined, tickets };
    };
    /** Tickets this run wrote again (see PartitionBatch.rewritten), whose older rows keyRows drops. */
    const rewritten = new Set<string>();
    const writeBatch = db.transaction((index: number, batch: PartitionBatch) => {
      for (const ticket of batch.tickets) tables.saveStored(ticket, { replacing: false });
      for (const id of batch.rewritten) rewritten.add(id);
      const partition = state.partitions[index] as PartitionState;
      const since = sinceCheckpoint[index] as { events: number; tickets: number };
      since.events += batch.events;
      since.tickets += batch.opened;
      if (batch.checkpoint === undefined && !batch.done) return;
      partition.after = batch.checkpoint ?? partition.after;
      partition.events += since.events;
      partition.tickets += since.tickets;
      partition.done = batch.done;
      since.events = 0;
      since.tickets = 0;
      tables.saveRebuildState(JSON.stringify(state));
    });
    const onBatch = (index: number, batch: PartitionBatch) => {
      writeBatch.immediate(index, batch);
      options.onProgress?.(progress());
    };

    const interrupted =
      from === null
        ? await foldPartitions({ store, file: options.file, state, policies, report, signal, workers, onBatch, fold: { batchSize, checkpointEvents, maxTickets } })
        : await refoldStreams({ store, state, only: toRefold, policies, report, signal, batchSize, tables, onProgress: () => options.onProgress?.(progress()), db });
    if (interrupted) return { ...progress(), replaced, resumed, interrupted: true };
    if (from === null) db.transaction(() => tables.keyRows(rewritten)).immediate();
    // Every ticket is folded as of `high` or later; following the log from there applies only what is newer (apply is idempotent by revision).
    if (state.high !== null) tables.saveCheckpoint(state.high);

    const rebuilt = new TicketList({ file: options.file, store, policies, generation, onError: report, follow: false });
    try {
      await rebuilt.start();
    } finally {
      await rebuilt.stop();
    }
    db.transaction(() => {
      tables.makeLive();
      tables.saveRebuildState(undefined);
    }).immediate();
    options.onProgress?.(progress());
    return { ...progress(), replaced, resumed, interrupted: false };
  } finally {
    await workers?.terminate();
    db.close();
  }
}

interface PartitionsRun {
  store: EventStore;
  file: string;
  state: RebuildState;
  policies: PolicyList;
  report: (error: Error) => void;
  signal: AbortSignal | undefined;
  /** Without them, the partitions are folded in this thread. */
  workers: FoldWorkers | undefined;
  onBatch: (index: number, batch: PartitionBatch) => void;
  fold: { batchSize: number; checkpointEvents: number; maxTickets: number };
}

/** Folds the unfinished partitions, in worker threads when it can; true when stopped by the signal. */
async function foldPartitions(run: PartitionsRun): Promise<boolean> {
  const { store, state, policies, report, signal, onBatch, workers } = run;
  const high = state.high;
  const pending = state.partitions.flatMap((partition, index) => (partition.done || high === null ? [] : [{ partition, index }]));
  if (workers !== undefined) {
    const tasks = pending.map(({ partition, index }) => ({
      index,
      task: { file: run.file, range: partition.range as StreamRange, until: high as Position, policies, fold: { ...run.fold, after: partition.after ?? undefined } },
    }));
    return workers.run({ tasks, onBatch, report, signal });
  }
  try {
    for (const { partition, index } of pending) {
      const source: PartitionSource =
        store instanceof SqliteEventStore && partition.range !== null
          ? sqlitePartitionSource(store, partition.range, high as Position)
          : portPartitionSource(store, high as Position);
      await foldPartition(source, { ...run.fold, after: partition.after ?? undefined, policies, report }, (batch) => {
        onBatch(index, batch);
        if (signal?.aborted && !batch.done) throw new Stopped();
      });
      if (signal?.aborted) return true;
    }
  } catch (error) {
    if (error instanceof Stopped) return true;
    throw error;
  }
  return false;
}

interface RefoldRun {
  store: EventStore;
  state: RebuildState;
  /** The ticket streams to fold again (see streamsToRefold). */
  only: readonly string[];
  policies: PolicyList;
  report: (error: Error) => void;
  signal: AbortSignal | undefined;
  batchSize: number;
  tables: TicketTables;
  onProgress: () => void;
  db: SqliteDatabase;
}

/** A rebuild from a position: folds again, stream by stream, the tickets with events after it; true when stopped by the signal. */
async function refoldStreams({ store, state, only, policies, report, signal, batchSize, tables, onProgress, db }: RefoldRun): Promise<boolean> {
  const { refolded } = state;
  const saveBatch = db.transaction((streams: readonly RecordedEvent[][]) => {
    for (const records of streams) {
      const projected = advanceTicket(undefined, records, policies, report);
      if (projected !== undefined) tables.saveStored(storedTicketOf(projected), { replacing: true });
      refolded.events += records.length;
      refolded.tickets += 1;
      refolded.after = records[0]?.stream ?? refolded.after;
    }
    tables.saveRebuildState(JSON.stringify(state));
  });
  let batch: RecordedEvent[][] = [];
  for await (const records of readTicketStreams(store, { after: refolded.after, only })) {
    batch.push(records);
    if (batch.length < batchSize) continue;
    saveBatch.immediate(batch);
    batch = [];
    onProgress();
    if (signal?.aborted) return true;
  }
  if (batch.length > 0) saveBatch.immediate(batch);
  return false;
}
