import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { ReceivedMessage } from '@caseflow/bus';
import { openKafkaBus } from '@caseflow/bus';
import type { Actor } from '@caseflow/domain';
import { defaultDecisionPolicy } from '@caseflow/domain';
import { CommandEngine } from '@caseflow/engine';
import { openSqliteEventStore } from '@caseflow/eventstore';

const brokers = process.env.CASEFLOW_KAFKA_BROKERS;
const relayMain = join(import.meta.dirname, '..', 'dist', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'caseflow-relay-kafka-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const admin: Actor = { id: 'alice', role: 'customer-admin', tenant: 'contoso' };
const agent: Actor = { id: 'sam', role: 'agent', tenant: 'support' };

function startRelay(data: string, topic: string): ChildProcess {
  const child = spawn(process.execPath, [relayMain], {
    env: { ...process.env, CASEFLOW_DATA: data, CASEFLOW_KAFKA_BROKERS: brokers, CASEFLOW_RELAY_LEASE_MS: '1000', CASEFLOW_RELAY_TOPIC: topic },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  return child;
}

const children = new Set<ChildProcess>();
// A failed assertion must not leave a relay process behind (it would keep the test run alive).
afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

const exited = (child: ChildProcess) => new Promise<void>((done) => (child.exitCode !== null || child.signalCode !== null ? done() : child.once('exit', () => done())));

if (brokers === undefined || brokers === '') {
  console.log('Relay crash test against Kafka skipped: CASEFLOW_KAFKA_BROKERS is not set (npm test starts a broker and sets it).');
  describe('relay against Kafka', () => {
    it('relay crash test skipped: CASEFLOW_KAFKA_BROKERS is not set', () => {
      expect(process.env.CASEFLOW_KAFKA_BROKERS ?? '').toBe('');
    });
  });
} else {
  describe('relay against a real Kafka broker', () => {
    it('loses nothing and keeps every ticket in order when the relay is killed with -9 mid-stream', async () => {
      const data = join(dir, randomUUID());
      const store = openSqliteEventStore(join(data, 'caseflow.db'));
      let now = Date.parse('2026-11-02T09:00:00Z');
      const engine = new CommandEngine({ store, clock: { now: () => new Date((now += 1000)) }, policy: defaultDecisionPolicy });
      const tickets = Array.from({ length: 40 }, () => randomUUID());
      const ours = new Set<string>(tickets);
      const stepsPerTicket = 15;

      // The consumer: what a downstream service sees, deduplicated by (ticket, revision).
      const bus = await openKafkaBus({ brokers: brokers.split(','), clientId: 'caseflow-relay-crash-test' });
      // A topic of its own: a shared broker's main topic may hold far more than this test's events.
      const topic = `test.ticket-events.${randomUUID()}`;
      await bus.ensureTopic(topic, { partitions: 6 });
      const received: ReceivedMessage[] = [];
      const subscription = await bus.subscribe({ group: `relay-crash-${randomUUID()}`, topics: [topic], fromBeginning: true }, (m) => {
        if (ours.has(m.key)) received.push(m);
        return Promise.resolve();
      });

      let relay = startRelay(data, topic);
      const writing = (async () => {
        // Every ticket's next command at once: many tickets under concurrent commands.
        for (let step = 0; step < stepsPerTicket; step++) {
          await Promise.all(
            tickets.map(async (ticketId) => {
              const command =
                step === 0
                  ? { type: 'open', ticketId, actor: admin, tenant: 'contoso', plan: 'enterprise', region: 'US', category: 'technical', severity: 'B', title: 'Mail flow down', contact: { email: 'alice@contoso.example', preferred: 'email' }, language: 'en' }
                  : { type: 'note', ticketId, actor: agent, text: `step ${step}` };
              const result = await engine.handle({ ...command, commandId: randomUUID() });
              if (!result.ok) throw new Error(result.rejection.message);
            }),
          );
        }
      })();

      // Kill the relay once it has published part of the stream.
      const deadline = Date.now() + 30_000;
      while (received.length < 150 && Date.now() < deadline) await new Promise((later) => setTimeout(later, 20));
      expect(received.length).toBeGreaterThanOrEqual(150);
      relay.kill('SIGKILL');
      await exited(relay);
      await writing;
      relay = startRelay(data, topic);

      const total = tickets.length * stepsPerTicket;
      const unique = () => new Set(received.map((m) => `${m.key}/${m.headers.caseflow_revision}`)).size;
      while (unique() < total && Date.now() < deadline + 30_000) await new Promise((later) => setTimeout(later, 50));
      relay.kill('SIGTERM');
      await exited(relay);
      await subscription.close();
      await bus.close();
      await store.close();

      expect(unique()).toBe(total);
      // Per ticket, dropping repeats by revision leaves 0, 1, 2, ... in the order they arrived.
      for (const ticketId of tickets) {
        const seen = new Set<string>();
        const firsts: number[] = [];
        for (const m of received.filter((r) => r.key === ticketId)) {
          const revision = m.headers.caseflow_revision as string;
          if (!seen.has(revision)) firsts.push(Number(revision));
          seen.add(revision);
        }
        expect(firsts).toEqual(Array.from({ length: stepsPerTicket }, (_, i) => i));
      }
    }, 90_000);
  });
}
