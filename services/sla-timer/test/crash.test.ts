import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openInProcessBus } from '@caseflow/bus';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { SlaTimerStore } from '../src/index.js';
import { TestRelay, WorkerProcesses, escalationCounter, escalationsOf, exited, overdueTickets, waitFor } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'caseflow-sla-timer-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the sla-timer process', () => {
  it('escalates each ticket exactly once when it is killed with -9 (three times) in the middle of a burst of due timers', async () => {
    const data = join(dir, 'data');
    const workers = new WorkerProcesses(data, { CASEFLOW_KAFKA_BROKERS: '', CASEFLOW_BUS_POLL_MS: '20' });
    const file = join(data, 'caseflow.db');
    const store = openSqliteEventStore(file);
    const bus = openInProcessBus(file, { pollIntervalMs: 20 });
    const openOverdue = overdueTickets(store);
    const tickets: string[] = [];
    for (let i = 0; i < 150; i++) {
      const ticketId = `crash-${i}`;
      await openOverdue(ticketId);
      tickets.push(ticketId);
    }
    await new TestRelay(store, bus).flush();
    const expected = tickets.length * 2;

    const escalations = escalationCounter(file);
    try {
      await workers.supervise(async () => {
        // Three times in a row: started, killed with -9 once it has recorded some more escalations.
        for (const threshold of [40, 130, 220]) {
          const worker = workers.start();
          await waitFor(() => escalations.count() >= threshold, `a worker to reach ${threshold} escalations`, 20_000);
          worker.kill('SIGKILL');
          await exited(worker);
          // Killed in the middle of the burst, not after it.
          expect(escalations.count()).toBeLessThan(expected);
        }

        const second = workers.start();
        await waitFor(() => escalations.count() >= expected, `all ${expected} escalations (${escalations.count()} so far)`, 20_000);
        await new Promise((settle) => setTimeout(settle, 300));
        expect(escalations.count()).toBe(expected);
        for (const ticketId of tickets) {
          const recorded = await escalationsOf(store, ticketId);
          expect(recorded.map((e) => e.level)).toEqual([1, 2]);
          expect(recorded.map((e) => e.commandId)).toEqual([1, 2].map((level) => `sla:${ticketId}:escalate:initial-response:0:${level}`));
        }
        const timers = new SlaTimerStore(file);
        expect(timers.count()).toEqual({ tickets: tickets.length, pending: 0 });
        timers.close();

        second.kill('SIGTERM');
        expect(await exited(second)).toBe(0);
      });
    } finally {
      escalations.close();
      await bus.close();
      await store.close();
    }
  });
});
