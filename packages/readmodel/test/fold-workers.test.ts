/**
 * FoldWorkers: threads started before their tasks are known. One that fails while it loads must
 * fail the run that needed it, not the process; ones nobody needs end without a run.
 */
import { describe, expect, it } from '@jest/globals';
import { FoldWorkers } from '../src/partitions.js';

const failingScript = new URL(`data:text/javascript,${encodeURIComponent("throw new Error('cannot load this worker');")}`);
const idleScript = new URL(`data:text/javascript,${encodeURIComponent("import { parentPort } from 'node:worker_threads'; parentPort.once('message', () => {});")}`);
const noRun = { tasks: [], onBatch: () => undefined, report: () => undefined, signal: undefined };

describe('FoldWorkers', () => {
  it('given a thread that fails while it loads, then the run that needs it rejects with its error, and every thread ends', async () => {
    const workers = new FoldWorkers(failingScript, 2);
    const task = { file: 'unread.db', range: { from: 'ticket-', before: 'ticket.' }, until: '1', policies: [], fold: { after: undefined, batchSize: 1, checkpointEvents: 1, maxTickets: 1 } };

    await expect(workers.run({ ...noRun, tasks: [{ index: 0, task }] })).rejects.toThrow('cannot load this worker');
    await expect(workers.terminate()).resolves.toBeUndefined();
  });

  it('given no task for them, then the run resolves as finished and ends the threads it started', async () => {
    const workers = new FoldWorkers(idleScript, 2);

    await expect(workers.run(noRun)).resolves.toBe(false);
    await expect(workers.terminate()).resolves.toBeUndefined();
  });
});
