import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { STREAM_PREFIX } from '@caseflow/engine';
import type { EventStore, Position, RecordedEvent, SqliteEventStore, StreamRange } from '@caseflow/eventstore';
import type { SlaPolicy } from '@caseflow/sla';
import type { PartitionBatch, PartitionFoldOptions, PartitionSource } from './fold-partition.js';
import type { FoldRow } from './projection.js';

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
/** Events per read: small pages keep what a fold has alive small, which makes its young-generation collections cheaper (500 against 1,000: a sixth fewer bytes copied by them). */
const PAGE_SIZE = 500;
/**
 * A fold makes short-lived objects by the million (decoded events, what projecting a ticket works
 * with): with V8's default young generation they outlive a scavenge and are promoted, and a fold
 * then spent a third of its time collecting. 64 MiB made a million-event rebuild some 30% faster.
 */
const YOUNG_GENERATION_MB = 64;

/** A SQLite store's range of ticket streams, read in log order up to `until`. */
export function sqlitePartitionSource(store: SqliteEventStore, range: StreamRange, until: Position): PartitionSource {
  return {
    pages: (after) => store.readRange(range, { ...(after === undefined ? {} : { after }), until, pageSize: PAGE_SIZE }),
    before: (stream, revision) => Promise.resolve(store.streamRowsBefore(stream, revision)),
  };
}

/**
 * A recorded event as a row, whose JSON the fold parses again: only a rebuild from another store
 * than SQLite (EventStoreDB, whose reads over the network cost far more) comes this way.
 */
const rowOf = ({ stream, revision, position, id, type, data, metadata }: RecordedEvent): FoldRow => [
  stream,
  Number(revision),
  position,
  id,
  type,
  JSON.stringify(data),
  JSON.stringify(metadata),
];

/** Any store's ticket streams through the port: one pass over the log up to `until`. */
export function portPartitionSource(store: EventStore, until: Position): PartitionSource {
  return {
    async *pages(after) {
      let page: FoldRow[] = [];
      for await (const record of store.readAll(after)) {
        if (record.stream.startsWith(STREAM_PREFIX)) page.push(rowOf(record));
        if (page.length >= PAGE_SIZE) {
          yield page;
          page = [];
        }
        if (record.position === until) break;
      }
      if (page.length > 0) yield page;
    },
    before: async (stream, revision) => (await store.readStream(stream)).filter((record) => Number(record.revision) < revision).map(rowOf),
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
  tasks: { index: number; task: Omit<PartitionTask, 'credits'> }[];
  /** Writes a batch (synchronously): the worker is told it has room for another only after. */
  onBatch: (index: number, batch: PartitionBatch) => void;
  report: (error: Error) => void;
  signal: AbortSignal | undefined;
}

/**
 * Worker threads started before their tasks are known: loading a worker's modules takes about as
 * long as the rebuild's setup (counting and splitting the log), so the two overlap. Each thread
 * waits for one task (see rebuild-worker). Call `terminate` when done with them, whatever happened.
 */
export class FoldWorkers {
  readonly #script: URL;
  readonly #idle: Worker[] = [];
  readonly #started: Worker[] = [];
  /** A thread that failed before it was given a task: `run` rejects with it. */
  #failure: Error | undefined;

  constructor(script: URL, count: number) {
    this.#script = script;
    for (let i = 0; i < count; i++) this.#idle.push(this.#spawn());
  }

  #spawn(): Worker {
    const worker = new Worker(this.#script, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.#started.push(worker);
    // Until `run` listens, an unheard 'error' would crash the process.
    worker.on('error', (error) => (this.#failure ??= error));
    return worker;
  }

  /**
   * Runs each task in a thread of its own (started ones first, more if there are more tasks),
   * handing their batches to `onBatch` in each thread's order. Resolves true when stopped by the
   * signal (between batches), false once every thread has handed on its last batch; rejects when a
   * thread or a write fails. Either way, every thread is terminated before it settles.
   */
  run({ tasks, onBatch, report, signal }: WorkerRun): Promise<boolean> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let running = tasks.length;
      // Told apart by shape: an error from a thread may come from another realm than this one's Error.
      const finish = (outcome: { stopped: boolean } | { error: Error }) => {
        if (settled) return;
        settled = true;
        void this.terminate().then(() => ('error' in outcome ? reject(outcome.error) : resolve(outcome.stopped)));
      };
      if (this.#failure !== undefined) return finish({ error: this.#failure });
      if (running === 0) return finish({ stopped: false });
      for (const { index, task } of tasks) {
        const credits = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
        const room = new Int32Array(credits);
        Atomics.store(room, WRITE_CREDITS, BATCHES_IN_FLIGHT);
        const worker = this.#idle.shift() ?? this.#spawn();
        worker.on('message', (message: WorkerMessage) => {
          if (settled) return;
          if (message.kind === 'report') return report(new Error(message.message));
          try {
            onBatch(index, message.batch);
          } catch (error) {
            return finish({ error: error as Error });
          }
          Atomics.add(room, WRITE_CREDITS, 1);
          Atomics.notify(room, WRITE_CREDITS);
          if (message.batch.done) running -= 1;
          if (running === 0) finish({ stopped: false });
          else if (signal?.aborted) finish({ stopped: true });
        });
        worker.on('error', (error) => finish({ error }));
        worker.on('exit', (code) => {
          if (code !== 0) finish({ error: new Error(`a rebuild worker thread exited with code ${code}`) });
        });
        worker.postMessage({ ...task, credits } satisfies PartitionTask);
      }
      // Threads started for partitions that turned out to be done already.
      for (const worker of this.#idle.splice(0)) void worker.terminate();
    });
  }

  async terminate(): Promise<void> {
    this.#idle.length = 0;
    await Promise.all(this.#started.map((worker) => worker.terminate()));
  }
}
