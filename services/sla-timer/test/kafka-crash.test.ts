import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { openKafkaBus } from '@caseflow/bus';
import { CommandEngine, streamOf } from '@caseflow/engine';
import type { RecordedEvent } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { decisionPolicyOf, defaultPolicy } from '@caseflow/sla';
import { HOUR, ManualClock, accepted, admin, escalationsOf, exited, waitFor } from './helpers.js';
import { toTicketMessage } from '@caseflow/relay';

const brokers = process.env.CASEFLOW_KAFKA_BROKERS;
const main = join(import.meta.dirname, '..', 'dist', 'main.js');
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
      if (!existsSync(main)) throw new Error(`${main} is missing: run \`pnpm -s build\` first (npm test does)`);
      const data = join(dir, randomUUID());
      const file = join(data, 'caseflow.db');
      // A topic and group of its own, so that nothing else on the broker gets in the way.
      const topic = `caseflow.sla-timer-test.${randomUUID()}`;
      const group = `sla-timer-test-${randomUUID()}`;
      const children: ChildProcess[] = [];
      const output: string[] = [];
      const startWorker = () => {
        const child = spawn(process.execPath, [main], {
          env: { ...process.env, CASEFLOW_DATA: data, CASEFLOW_KAFKA_BROKERS: brokers, CASEFLOW_SLA_TOPIC: topic, CASEFLOW_SLA_GROUP: group, CASEFLOW_SLA_POLL_MS: '20' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
        children.push(child);
        return child;
      };

      const store = openSqliteEventStore(file);
      const clock = new ManualClock(Date.now() - 3 * HOUR);
      const engine = new CommandEngine({ store, clock, policy: decisionPolicyOf(defaultPolicy) });
      const bus = await openKafkaBus({ brokers: brokers.split(','), clientId: 'caseflow-sla-timer-crash-test' });
      await bus.ensureTopic(topic, { partitions: 3 });
      /** Opens `n` severity A tickets three hours in the past and publishes their events as the relay would. */
      const wave = async (name: string, n: number) => {
        const records: RecordedEvent[] = [];
        const ids: string[] = [];
        for (let i = 0; i < n; i++) {
          const ticketId = `${name}-${i}`;
          clock.set(clock.ms + 1);
          accepted(
            await engine.handle({
              type: 'open', commandId: `open-${ticketId}`, ticketId, actor: admin, tenant: 'contoso', plan: 'enterprise', region: 'US',
              category: 'technical', severity: 'A', title: 'Mail flow down', contact: { email: 'alice@contoso.example', preferred: 'email' }, language: 'en',
            }),
          );
          records.push(...(await store.readStream(streamOf(ticketId))));
          ids.push(ticketId);
        }
        await bus.publish(topic, records.map(toTicketMessage));
        return { ids, records };
      };

      const reader = new Database(file, { readonly: true, fileMustExist: true });
      const escalations = () => reader.prepare<[], { n: number }>("SELECT count(*) AS n FROM events WHERE type = 'TicketEscalated'").get()?.n ?? 0;
      try {
        const first = await wave('first', 40);
        const worker = startWorker();
        await waitFor(() => escalations() >= 20, 'the first worker to escalate', 40_000);
        // More tickets, and the first wave again (a relay repeating its last batch), then the crash.
        const second = await wave('second', 40);
        await bus.publish(topic, first.records.map(toTicketMessage));
        worker.kill('SIGKILL');
        await exited(worker);
        expect(escalations()).toBeLessThan(160);

        // The new worker gets the partitions once the dead member's session expires.
        const again = startWorker();
        await waitFor(() => escalations() >= 160, `all 160 escalations (${escalations()} so far)`, 45_000);
        await new Promise((settle) => setTimeout(settle, 500));
        expect(escalations()).toBe(160);
        for (const ticketId of [...first.ids, ...second.ids]) {
          expect((await escalationsOf(store, ticketId)).map((e) => e.level)).toEqual([1, 2]);
        }
        again.kill('SIGTERM');
        expect(await exited(again)).toBe(0);
      } catch (error) {
        console.error(output.join(''));
        throw error;
      } finally {
        for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        reader.close();
        await bus.close();
        await store.close();
      }
    }, 120_000);
  });
}
