import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { defaultPolicy } from '@caseflow/sla';
import { AGENT, HOUR, T0, at, cli, inStore, json, openTicket, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

interface ClockJson {
  name: string;
  cycle: number;
  status: string;
  dueAt: string | null;
  warningAt: string | null;
  elapsedMs: number;
  remainingMs: number | null;
  calendar: string;
}

describe('caseflow ticket clocks', () => {
  it('shows the initial-response clock running, breached, then fulfilled, as of any instant', async () => {
    const dir = tempDir();
    // Enterprise, technical, severity B: 24 hours on the wall clock.
    const id = await openTicket(dir, T0);
    const running = json<ClockJson[]>(await cli(['--data', dir, '--json', 'ticket', 'clocks', id, '--at', at(6 * HOUR)]));
    expect(running).toEqual([
      expect.objectContaining({ name: 'initial-response', cycle: 0, status: 'running', dueAt: at(24 * HOUR), warningAt: at(18 * HOUR), elapsedMs: 6 * HOUR, remainingMs: 18 * HOUR, calendar: '24x7' }),
    ]);
    const late = json<ClockJson[]>(await cli(['--data', dir, '--json', 'ticket', 'clocks', id, '--at', at(30 * HOUR)]));
    expect(late[0]).toMatchObject({ status: 'breached', remainingMs: -6 * HOUR });

    await inStore(dir, at(20 * HOUR))('ticket', 'triage', id, '--as', AGENT);
    const answered = json<ClockJson[]>(await cli(['--data', dir, '--json', 'ticket', 'clocks', id, '--at', at(40 * HOUR)]));
    expect(answered[0]).toMatchObject({ status: 'fulfilled', elapsedMs: 20 * HOUR, remainingMs: 4 * HOUR });
    // Before the triage, the same history still shows the clock as it ran then.
    const before = json<ClockJson[]>(await cli(['--data', dir, '--json', 'ticket', 'clocks', id, '--at', at(19 * HOUR)]));
    expect(before[0]).toMatchObject({ status: 'running', elapsedMs: 19 * HOUR });
  });

  it('prints one readable line per clock, and refuses an unknown ticket', async () => {
    const dir = tempDir();
    const id = await openTicket(dir, T0);
    const shown = await cli(['--data', dir, 'ticket', 'clocks', id, '--now', at(HOUR)]);
    expect(shown.code).toBe(0);
    expect(shown.out).toEqual([expect.stringMatching(/^initial-response \(cycle 0\): running; due 2026-01-06T09:00:00.000Z/)]);
    const unknown = await cli(['--data', dir, 'ticket', 'clocks', 'no-such-ticket']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toEqual(['caseflow: refused (not_found): no ticket no-such-ticket']);
  });
});

describe('caseflow ticket open and ticket clocks on a deployment with its own policy (CASEFLOW_SLA_POLICY)', () => {
  it('given the policy, then a ticket opened here pins it and its clocks run by it, while an older ticket keeps the built-in one', async () => {
    const dir = tempDir();
    const older = await openTicket(dir, T0);
    const policyFile = join(dir, 'acme.json');
    writeFileSync(policyFile, JSON.stringify({ ...defaultPolicy, id: 'acme-support', version: 3, warningThreshold: 0.5 }));
    const saved = process.env.CASEFLOW_SLA_POLICY;
    process.env.CASEFLOW_SLA_POLICY = policyFile;
    try {
      const id = await openTicket(dir, T0);
      const initialResponse = async (ticket: string) => json<ClockJson[]>(await cli(['--data', dir, '--json', 'ticket', 'clocks', ticket, '--at', at(6 * HOUR)]))[0];

      expect(json(await cli(['--data', dir, '--json', 'ticket', 'show', id]))).toMatchObject({ policy: { id: 'acme-support', version: 3 } });
      // Enterprise, technical, severity B: 24 hours on the wall clock under both; the warning comes at half of it here, at 3/4 built in.
      expect(await initialResponse(id)).toMatchObject({ status: 'running', dueAt: at(24 * HOUR), warningAt: at(12 * HOUR) });
      expect(json(await cli(['--data', dir, '--json', 'ticket', 'show', older]))).toMatchObject({ policy: { id: defaultPolicy.id, version: defaultPolicy.version } });
      expect(await initialResponse(older)).toMatchObject({ status: 'running', dueAt: at(24 * HOUR), warningAt: at(18 * HOUR) });
    } finally {
      if (saved === undefined) delete process.env.CASEFLOW_SLA_POLICY;
      else process.env.CASEFLOW_SLA_POLICY = saved;
    }
  });
});
