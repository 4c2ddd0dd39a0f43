import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { openInProcessBus } from '@caseflow/bus';
import { CommandEngine } from '@caseflow/engine';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { decisionPolicyOf, defaultPolicy } from '@caseflow/sla';
import { SlaTimerStore } from '../src/index.js';
import { HOUR, ManualClock, TestRelay, accepted, admin, escalationsOf, exited, waitFor } from './helpers.js';

const main = join(import.meta.dirname, '..', 'dist', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'caseflow-sla-timer-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const children: ChildProcess[] = [];

function startWorker(data: string, output: string[]): ChildProcess {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, CASEFLOW_DATA: data, CASEFLOW_KAFKA_BROKERS: '', CASEFLOW_SLA_POLL_MS: '20', CASEFLOW_BUS_POLL_MS: '20' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  children.push(child);
  return child;
}

describe('the sla-timer process', () => {
  it('escalates each ticket exactly once when it is killed with -9 (three times) in the middle of a burst of due timers', async () => {
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`pnpm -s build\` first (npm test does)`);
    const data = join(dir, 'data');
    const file = join(data, 'caseflow.db');
    const store = openSqliteEventStore(file);
    const bus = openInProcessBus(file, { pollIntervalMs: 20 });
    // Opened three hours ago: every ticket's warning and breach are due the moment the worker learns of it.
    const clock = new ManualClock(Date.now() - 3 * HOUR);
    const engine = new CommandEngine({ store, clock, policy: decisionPolicyOf(defaultPolicy) });
    const tickets: string[] = [];
    for (let i = 0; i < 150; i++) {
      const ticketId = `crash-${i}`;
      clock.set(clock.ms + 1);
      accepted(
        await engine.handle({
          type: 'open', commandId: `open-${ticketId}`, ticketId, actor: admin, tenant: 'contoso', plan: 'enterprise', region: 'US',
          category: 'technical', severity: 'A', title: 'Mail flow down', contact: { email: 'alice@contoso.example', preferred: 'email' }, language: 'en',
        }),
      );
      tickets.push(ticketId);
    }
    await new TestRelay(store, bus).flush();
    const expected = tickets.length * 2;

    const reader = new Database(file, { readonly: true });
    const escalations = () => reader.prepare<[], { n: number }>("SELECT count(*) AS n FROM events WHERE type = 'TicketEscalated'").get()?.n ?? 0;
    const output: string[] = [];
    try {
      // Three times in a row: started, killed with -9 once it has recorded some more escalations.
      for (const threshold of [40, 130, 220]) {
        const worker = startWorker(data, output);
        await waitFor(() => escalations() >= threshold, `a worker to reach ${threshold} escalations`, 20_000);
        worker.kill('SIGKILL');
        await exited(worker);
        // Killed in the middle of the burst, not after it.
        expect(escalations()).toBeLessThan(expected);
      }

      const second = startWorker(data, output);
      await waitFor(() => escalations() >= expected, `all ${expected} escalations (${escalations()} so far)`, 20_000);
      await new Promise((settle) => setTimeout(settle, 300));
      expect(escalations()).toBe(expected);
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
    } catch (error) {
      console.error(output.join(''));
      throw error;
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reader.close();
      await bus.close();
      await store.close();
    }
  });
});
