import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { STREAM_PREFIX } from '@caseflow/engine';
import type { EventStore, Position, RecordedEvent, SqliteEventStore, StreamRange } from '@caseflow/eventstore';
import type { SlaPolicy } from '@caseflow/sla';
import type { PartitionBatch, PartitionFoldOptions, PartitionSource } from './fold-partition.js';

/** What a worker thread is given: the file, its range of streams, where to resume and where to stop. */
export interface PartitionTask {
  file: string;
  range: StreamRange;
  until: Position;
  policies: readonly SlaPolicy[];
  fold: Omit<PartitionFoldOptions, 'policies' | 'report'>;
  /** An Int32Array over it: how many more batches the worker may post before the writer has written one. */
  credits: SharedArrayBuffer;
}

export type WorkerMessage = { kind: 'batch'; batch: PartitionBatch } | { kind: 'report'; message: string };

export const WRITE_CREDITS = 0;
/** Batches a worker may have posted and not yet seen written: enough to keep it busy, few enough to bound memory. */
const BATCHES_IN_FLIGHT = 3;
/** Events per read: small pages keep what a fold has alive small, which makes its young-generation collections cheaper. */
const PAGE_SIZE = 1_000;
/**
 * A fold makes short-lived objects by the million (decoded events, tickets copied per event): with
 * V8's default young generation they outlive a scavenge and are promoted, and a fold then spent a
 * third of its time collecting. 64 MiB made a million-event rebuild some 30% faster.
 */
const YOUNG_GENERATION_MB = 64;

/** A stream's events below `revision`: how either source folds again a ticket it let go of. */
const eventsBefore = (store: EventStore) => async (stream: string, revision: bigint) =>
  (await store.readStream(stream)).filter((record) => record.revision < revision);

/** A SQLite store's range of ticket streams, read in log order up to `until`. */
export function sqlitePartitionSource(store: SqliteEventStore, range: StreamRange, until: Position): PartitionSource {
  return {
    pages: (after) => store.readRange(range, { ...(after === undefined ? {} : { after }), until, pageSize: PAGE_SIZE }),
    before: eventsBefore(store),
  };
}

/** Any store's ticket streams through the port: one pass over the log up to `until`. */
export function portPartitionSource(store: EventStore, until: Position): PartitionSource {
  return {
    async *pages(after) {
      let page: RecordedEvent[] = [];
      for await (const record of store.readAll(after)) {
        if (record.stream.startsWith(STREAM_PREFIX)) page.push(record);
        if (page.length >= PAGE_SIZE) {
          yield page;
          page = [];
        }
        if (record.position === until) break;
      }
      if (page.length > 0) yield page;
    },
    before: eventsBefore(store),
  };
}

/**
 * The compiled worker script: beside this module in `dist`; when this module runs from its
 * sources (the tests), the package's build of it. Undefined when neither exists.
 */
export function workerScript(): URL | undefined {
  for (const candidate of ['./rebuild-worker.js', '../dist/rebuild-worker.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(url)) return url;
  }
  return undefined;
}

export interface WorkerRun {
  script: URL;
  tasks: { index: number; task: Omit<PartitionTask, 'credits'> }[];
  /** Writes a batch (synchronously): the worker is told it has room for another only after. */
  onBatch: (index: number, batch: PartitionBatch) => void;
  report: (error: Error) => void;
  signal: AbortSignal | undefined;
}

/**
 * Runs each task in a worker thread of its own, handing their batches to `onBatch` in each
 * worker's order. Resolves true when stopped by the signal (between batches), false once every
 * worker has handed on its last batch; rejects when a worker or a write fails. Either way, every
 * worker is terminated before it settles.
 */
export function runInWorkers({ script, tasks, onBatch, report, signal }: WorkerRun): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let running = tasks.length;
    const workers: Worker[] = [];
    const finish = (outcome: boolean | Error) => {
      if (settled) return;
      settled = true;
      void Promise.all(workers.map((worker) => worker.terminate())).then(() => (outcome instanceof Error ? reject(outcome) : resolve(outcome)));
    };
    if (running === 0) finish(false);
    for (const { index, task } of tasks) {
      const credits = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
      const room = new Int32Array(credits);
      Atomics.store(room, WRITE_CREDITS, BATCHES_IN_FLIGHT);
      const worker = new Worker(script, { workerData: { ...task, credits } satisfies PartitionTask, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      workers.push(worker);
      worker.on('message', (message: WorkerMessage) => {
        if (settled) return;
        if (message.kind === 'report') return report(new Error(message.message));
        try {
          onBatch(index, message.batch);
        } catch (error) {
          return finish(error as Error);
        }
        Atomics.add(room, WRITE_CREDITS, 1);
        Atomics.notify(room, WRITE_CREDITS);
        if (message.batch.done) running -= 1;
        if (running === 0) finish(false);
        else if (signal?.aborted) finish(true);
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (code !== 0) finish(new Error(`a rebuild worker thread exited with code ${code}`));
      });
    }
  });
}
