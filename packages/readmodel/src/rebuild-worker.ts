/**
 * A worker thread of a rebuild: waits for its task (see FoldWorkers), folds that range of the
 * ticket streams (see foldPartition) and posts its batches to the thread that writes them, waiting
 * while too many are unwritten.
 */
import { once } from 'node:events';
import { parentPort } from 'node:worker_threads';
import { SqliteEventStore } from '@caseflow/eventstore';
import { policyList } from '@caseflow/sla';
import { foldPartition } from './fold-partition.js';
import type { PartitionTask, WorkerMessage } from './partitions.js';
import { WRITE_CREDITS, sqlitePartitionSource } from './partitions.js';

const port = parentPort;
if (port === null) throw new Error('rebuild-worker runs as a worker thread');
const [task] = (await once(port, 'message')) as [PartitionTask];
const post = (message: WorkerMessage) => port.postMessage(message);
const credits = new Int32Array(task.credits);

const store = new SqliteEventStore(task.file);
try {
  await foldPartition(
    sqlitePartitionSource(store, task.range, task.until),
    { ...task.fold, policies: policyList(task.policies), report: (error) => post({ kind: 'report', message: error.message }) },
    (batch) => {
      // Blocks this thread (never the writer's) until the writer has room for another batch.
      while (Atomics.load(credits, WRITE_CREDITS) <= 0) Atomics.wait(credits, WRITE_CREDITS, 0, 1_000);
      Atomics.sub(credits, WRITE_CREDITS, 1);
      post({ kind: 'batch', batch });
    },
  );
} finally {
  await store.close();
}
