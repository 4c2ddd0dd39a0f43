import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openKafkaBus } from '@caseflow/bus';
import { streamOf } from '@caseflow/engine';
import type { RecordedEvent } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { toTicketMessage } from '@caseflow/relay';
import { WorkerProcesses, escalationCounter, escalationsOf, exited, overdueTickets, waitFor } from './helpers.js';

const brokers = process.env.CASEFLOW_KAFKA_BROKERS;
const dir = mkdtempSync(join(tmpdir(), 'caseflow-sla-timer-kafka-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

if (brokers === undefined || brokers === '') {
  console.log('sla-timer crash test against Kafka skipped: CASEFLOW_KAFKA_BROKERS is not set (npm test starts a broker and sets it).');
  describe('sla-timer against Kafka', () => {
    it('sla-timer Kafka crash test skipped: CASEFLOW_KAFKA_BROKERS is not set', () => {
      expect(process.env.CASEFLOW_KAFKA_BROKERS ?? '').toBe('');
    });
  });
} else {
  describe('sla-timer against a real Kafka broker', () => {
    it('escalates each ticket exactly once when the worker is killed with -9 mid-burst and its partitions come back to a new one', async () => {
      const data = join(dir, randomUUID());
      // A topic and group of its own, so that nothing else on the broker gets in the way.
      const topic = `caseflow.sla-timer-test.${randomUUID()}`;
      const group = `sla-timer-test-${randomUUID()}`;
      const workers = new WorkerProcesses(data, { CASEFLOW_KAFKA_BROKERS: brokers, CASEFLOW_SLA_TOPIC: topic, CASEFLOW_SLA_GROUP: group });
      const file = join(data, 'caseflow.db');

      const store = openSqliteEventStore(file);
      const openOverdue = overdueTickets(store);
      const bus = await openKafkaBus({ brokers: brokers.split(','), clientId: 'caseflow-sla-timer-crash-test' });
      await bus.ensureTopic(topic, { partitions: 3 });
      /** Opens `n` overdue tickets and publishes their events as the relay would. */
      const wave = async (name: string, n: number) => {
        const records: RecordedEvent[] = [];
        const ids: string[] = [];
        for (let i = 0; i < n; i++) {
          const ticketId = `${name}-${i}`;
          await openOverdue(ticketId);
          records.push(...(await store.readStream(streamOf(ticketId))));
          ids.push(ticketId);
        }
        await bus.publish(topic, records.map(toTicketMessage));
        return { ids, records };
      };

      const escalations = escalationCounter(file);
      try {
        await workers.supervise(async () => {
          const first = await wave('first', 40);
          const worker = workers.start();
          await waitFor(() => escalations.count() >= 20, 'the first worker to escalate', 40_000);
          // More tickets, and the first wave again (a relay repeating its last batch), then the crash.
          const second = await wave('second', 40);
          await bus.publish(topic, first.records.map(toTicketMessage));
          worker.kill('SIGKILL');
          await exited(worker);
          expect(escalations.count()).toBeLessThan(160);

          // The new worker gets the partitions once the dead member's session expires.
          const again = workers.start();
          await waitFor(() => escalations.count() >= 160, `all 160 escalations (${escalations.count()} so far)`, 45_000);
          await new Promise((settle) => setTimeout(settle, 500));
          expect(escalations.count()).toBe(160);
          for (const ticketId of [...first.ids, ...second.ids]) {
            expect((await escalationsOf(store, ticketId)).map((e) => e.level)).toEqual([1, 2]);
          }
          again.kill('SIGTERM');
          expect(await exited(again)).toBe(0);
        });
      } finally {
        escalations.close();
        await bus.close();
        await store.close();
      }
    }, 120_000);
  });
}
