import { readTicketStreams, ticketStreamsAfter } from '@caseflow/engine';
import type { EventStore, Position, RecordedEvent } from '@caseflow/eventstore';
import { SqliteEventStore } from '@caseflow/eventstore';
import type { SlaPolicy } from '@caseflow/sla';
import { policyList } from '@caseflow/sla';
import { openSqliteFile } from '@caseflow/sqlite';
import { advanceTicket } from './projection.js';
import { Generations, TicketTables } from './tables.js';
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
  /** Tickets folded per transaction (and per checkpoint): a positive whole number. */
  batchSize?: number;
}

export interface RebuildProgress {
  generation: number;
  /** Events folded so far, in this run and the runs it resumes. */
  events: number;
  /** Events the log held when the rebuild began (those after `from` with it); undefined when the store cannot count. */
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

/** What an unfinished rebuild keeps in the catalogue, so that the next run resumes where it stopped. */
interface RebuildState {
  from: Position | null;
  /** With `from`: the checkpoint of the generation whose rows were copied, read before the copy (see `streamsToRefold`). */
  copied: Position | null;
  /** The log's last position when the rebuild began: the new generation follows the log from there once every ticket is folded. */
  high: Position | null;
  /** The last ticket stream folded. */
  after: string;
  events: number;
  tickets: number;
  totalEvents: number | null;
}

const DEFAULT_BATCH = 2_000;

async function lastPositionOf(store: EventStore): Promise<Position | undefined> {
  if (store instanceof SqliteEventStore) return store.lastPosition();
  let last: Position | undefined;
  for await (const { position } of store.readAll()) last = position;
  return last;
}

/**
 * The ticket streams a rebuild from `from` folds again; undefined without `from` (it folds every
 * one). Besides those with events after `from`, those with events after the copied rows' own
 * checkpoint: a live list that lagged behind `from` copies rows that miss them, and following
 * the log from `high` would never bring them. Reading after `from` also refuses a position the
 * store does not take, so it runs before anything is written.
 */
async function streamsToRefold(store: EventStore, { from, copied }: Pick<RebuildState, 'from' | 'copied'>): Promise<string[] | undefined> {
  if (from === null) return undefined;
  const streams = new Set(await ticketStreamsAfter(store, from));
  for (const stream of await ticketStreamsAfter(store, copied ?? undefined)) streams.add(stream);
  return [...streams].sort();
}

/**
 * Rebuilds the ticket list and its report facts from the event log into a fresh generation, then
 * swaps it in. The live generation keeps serving (and following the log) until the swap, so
 * nothing reads half-built tables. Tickets are folded one stream at a time, in stream order, so
 * memory holds one ticket's events whatever the log's size; each batch commits with a checkpoint
 * (the last stream folded), and an interrupted rebuild resumes from it: the state is cleared with
 * the swap, so a run that fails while catching up resumes with every ticket folded.
 */
export async function rebuildTicketList(options: RebuildOptions): Promise<RebuildResult> {
  const { store, signal } = options;
  const policies = policyList(options.policies);
  const report = options.onError ?? ((error: Error) => console.error(`caseflow rebuild: ${error.message}`));
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive whole number; got ${batchSize}`);
  const from = options.from ?? null;

  const { db } = openSqliteFile(options.file, { synchronous: 'normal' });
  try {
    // Opening the live tables first makes sure the catalogue exists and is migrated.
    const live = new TicketTables(db, options.file);
    const replaced = live.generation;
    const generations = new Generations(db);
    const unfinished = generations.unfinishedRebuild();
    const saved = unfinished === undefined ? undefined : (JSON.parse(unfinished.state) as RebuildState);
    const resumed = unfinished !== undefined && saved !== undefined && saved.from === from;
    let generation: number;
    let state: RebuildState;
    let only: string[] | undefined;
    let tables: TicketTables;
    if (resumed) {
      generation = unfinished.generation;
      state = saved;
      only = await streamsToRefold(store, state);
      tables = new TicketTables(db, options.file, generation, { deferIndexes: true });
    } else {
      // In this order: rows copied after their checkpoint is read are at least that current, and a
      // ticket with events up to `high` is either refolded or in those rows (see streamsToRefold).
      const copied = from === null ? null : (live.checkpoint() ?? null);
      const high = (await lastPositionOf(store)) ?? null;
      only = await streamsToRefold(store, { from, copied });
      const totalEvents = store instanceof SqliteEventStore ? store.countAfter(from ?? undefined) : undefined;
      state = { from, copied, high, after: '', events: 0, tickets: 0, totalEvents: totalEvents ?? null };
      // One transaction, so that no failure leaves a generation the catalogue cannot resume; the
      // number is taken before the unfinished one is dropped, so that none is ever used twice.
      [generation, tables] = db
        .transaction((): [number, TicketTables] => {
          const fresh = generations.next();
          if (unfinished !== undefined) generations.drop(unfinished.generation);
          const freshTables = new TicketTables(db, options.file, fresh, { deferIndexes: true });
          if (from !== null) generations.copy(replaced, fresh);
          freshTables.saveRebuildState(JSON.stringify(state));
          return [fresh, freshTables];
        })
        .immediate();
    }

    const progress = (): RebuildProgress => ({ generation, events: state.events, totalEvents: state.totalEvents ?? undefined, tickets: state.tickets });
    const saveBatch = db.transaction((streams: readonly RecordedEvent[][]) => {
      for (const records of streams) {
        const projected = advanceTicket(undefined, records, policies, report);
        if (projected !== undefined) tables.save(projected);
        state.events += records.length;
        state.tickets += 1;
        state.after = records[0]?.stream ?? state.after;
      }
      tables.saveRebuildState(JSON.stringify(state));
    });

    let batch: RecordedEvent[][] = [];
    for await (const records of readTicketStreams(store, { after: state.after, ...(only === undefined ? {} : { only }) })) {
      batch.push(records);
      if (batch.length < batchSize) continue;
      saveBatch.immediate(batch);
      batch = [];
      options.onProgress?.(progress());
      if (signal?.aborted) return { ...progress(), replaced, resumed, interrupted: true };
    }
    if (batch.length > 0) saveBatch.immediate(batch);
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
    db.close();
  }
}
