import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import type { ReceivedMessage } from '@caseflow/bus';
import { toTicketMessage } from '@caseflow/relay';
import type { SlaPolicy } from '@caseflow/sla';
import { defaultPolicy, parsePolicy } from '@caseflow/sla';
import type { TimerOutcome } from '../src/index.js';
import { SLA_ACTOR, SlaTimer, SlaTimerStore } from '../src/index.js';
import type { World } from './helpers.js';
import { DAY, HOUR, MINUTE, T0, admin, agent, escalationsOf, historyOf, openWorld, supervisor, waitFor } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'caseflow-sla-timer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const worlds: World[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

async function started(options: Parameters<typeof openWorld>[1] = {}): Promise<World> {
  const w = openWorld(join(dir, `${randomUUID()}.db`), options);
  worlds.push(w);
  await w.sla.start();
  return w;
}

const iso = (ms: number) => new Date(ms).toISOString();
const levels = async (w: World, ticketId: string) => (await escalationsOf(w.store, ticketId)).map((e) => `${e.cycle}:${e.clock}:${e.level}`);

describe('SlaTimer: escalations', () => {
  it('escalates a severity A ticket at the warning (75 % of 1 h) and at the breach, at exactly those instants', async () => {
    const outcomes: TimerOutcome[] = [];
    const w = await started({ worker: { onAction: (o) => outcomes.push(o) } });
    const ticketId = await w.open({ severity: 'A', at: T0 });
    await w.sync();
    expect(w.timers.get(ticketId)?.timer).toEqual({ at: new Date(T0 + 45 * MINUTE), reason: 'warning', clock: 'initial-response', cycle: 0, level: 1 });

    await w.at(T0 + 45 * MINUTE - 1);
    expect(await escalationsOf(w.store, ticketId)).toEqual([]);
    await w.at(T0 + 45 * MINUTE);
    expect(await escalationsOf(w.store, ticketId)).toEqual([
      { clock: 'initial-response', level: 1, cycle: 0, at: iso(T0 + 45 * MINUTE), commandId: `sla:${ticketId}:escalate:initial-response:0:1` },
    ]);
    expect(w.timers.get(ticketId)?.timer).toMatchObject({ at: new Date(T0 + HOUR), reason: 'breach', level: 2 });

    await w.at(T0 + HOUR - 1);
    expect(await levels(w, ticketId)).toEqual(['0:initial-response:1']);
    await w.at(T0 + HOUR);
    expect(await levels(w, ticketId)).toEqual(['0:initial-response:1', '0:initial-response:2']);
    const events = await historyOf(w.store, ticketId);
    expect(events.at(-1)).toMatchObject({ type: 'TicketEscalated', actor: SLA_ACTOR, occurredAt: iso(T0 + HOUR) });
    // Both thresholds done: nothing pending until the ticket changes.
    expect(w.timers.get(ticketId)?.timer).toBeUndefined();
    expect(w.timers.count()).toEqual({ tickets: 1, pending: 0 });
    expect(outcomes.map((o) => `${o.reason}:${o.result}`)).toEqual(['warning:recorded', 'breach:recorded']);
  });

  it('sends an overdue warning and breach in order after an outage, and nothing once the clock is fulfilled', async () => {
    const w = await started();
    const late = await w.open({ severity: 'A', at: T0 });
    const answered = await w.open({ severity: 'A', at: T0 + MINUTE });
    await w.command({ type: 'triage', ticketId: answered, actor: agent }, T0 + 30 * MINUTE);
    await w.sync();
    await w.at(T0 + 5 * HOUR);
    const escalations = await escalationsOf(w.store, late);
    expect(escalations.map((e) => e.level)).toEqual([1, 2]);
    expect(escalations.every((e) => e.at === iso(T0 + 5 * HOUR))).toBe(true);
    expect(await escalationsOf(w.store, answered)).toEqual([]);
    expect(w.timers.get(answered)?.timer).toBeUndefined();
  });

  it('recomputes on a severity change: B (24 h) raised to A warns 45 min after opening', async () => {
    const w = await started();
    const ticketId = await w.open({ severity: 'B', at: T0 });
    await w.sync();
    expect(w.timers.get(ticketId)?.timer).toMatchObject({ at: new Date(T0 + 18 * HOUR), reason: 'warning' });
    await w.command({ type: 'change-severity', ticketId, actor: supervisor, severity: 'A' }, T0 + 10 * MINUTE);
    await w.sync();
    expect(w.timers.get(ticketId)?.timer).toMatchObject({ at: new Date(T0 + 45 * MINUTE), reason: 'warning' });
    await w.at(T0 + 45 * MINUTE);
    expect(await levels(w, ticketId)).toEqual(['0:initial-response:1']);
  });

  it('starts new timers for the new response cycle of a reopened ticket, and drops the auto-close', async () => {
    const w = await started();
    const ticketId = await w.open({ severity: 'A', at: T0 });
    await w.sync();
    await w.at(T0 + 45 * MINUTE);
    await w.command({ type: 'triage', ticketId, actor: agent }, T0 + 50 * MINUTE);
    await w.command({ type: 'resolve', ticketId, actor: agent, text: 'Renewed the certificate' }, T0 + 2 * HOUR);
    await w.sync();
    expect(w.timers.get(ticketId)?.timer).toMatchObject({ at: new Date(T0 + 2 * HOUR + 7 * DAY), reason: 'auto-close', cycle: 0 });

    await w.command({ type: 'reopen', ticketId, actor: admin, text: 'Still broken' }, T0 + 3 * HOUR);
    await w.sync();
    expect(w.timers.get(ticketId)?.timer).toMatchObject({ at: new Date(T0 + 3 * HOUR + 45 * MINUTE), reason: 'warning', cycle: 1 });
    await w.at(T0 + 3 * HOUR + 45 * MINUTE);
    await w.at(T0 + 4 * HOUR);
    expect(await levels(w, ticketId)).toEqual(['0:initial-response:1', '1:initial-response:1', '1:initial-response:2']);
    expect((await escalationsOf(w.store, ticketId)).map((e) => e.commandId)).toEqual([
      `sla:${ticketId}:escalate:initial-response:0:1`,
      `sla:${ticketId}:escalate:initial-response:1:1`,
      `sla:${ticketId}:escalate:initial-response:1:2`,
    ]);
    await w.at(T0 + 10 * DAY);
    expect((await historyOf(w.store, ticketId)).some((e) => e.type === 'TicketClosed')).toBe(false);
  });
});

/** The default policy plus a resolution clock that pauses while the ticket awaits the customer. */
const resolutionPolicy: SlaPolicy = parsePolicy({
  ...defaultPolicy,
  id: 'sla-timer-test',
  clocks: [
    ...defaultPolicy.clocks,
    {
      name: 'resolution',
      startedBy: ['TicketOpened', 'TicketReopened'],
      fulfilledBy: ['TicketResolved'],
      stoppedBy: ['TicketClosed'],
      pausedIn: ['awaitingCustomer', 'downgraded'],
      targets: Object.fromEntries(
        Object.entries(defaultPolicy.clocks[0]?.targets ?? {}).map(([plan, byCategory]) => [
          plan,
          Object.fromEntries(Object.keys(byCategory).map((category) => [category, Object.fromEntries(['A', 'B', 'C'].map((s) => [s, { within: 'PT8H', calendar: '24x7' }]))])),
        ]),
      ),
    },
  ],
});

describe('SlaTimer: pauses, downgrades, auto-close', () => {
  it('moves the timers when a clock pauses (request-info) and resumes (customer reply)', async () => {
    const w = await started({ policies: [resolutionPolicy] });
    // Severity C: no initial-response commitment and no downgrade, so only the resolution clock (8 h) counts.
    const ticketId = await w.open({ severity: 'C', at: T0 });
    await w.sync();
    expect(w.timers.get(ticketId)?.timer).toMatchObject({ at: new Date(T0 + 6 * HOUR), reason: 'warning', clock: 'resolution' });
    await w.command({ type: 'triage', ticketId, actor: agent }, T0 + HOUR);
    await w.command({ type: 'request-info', ticketId, actor: agent, text: 'A message trace, please' }, T0 + 2 * HOUR);
    await w.sync();
    // Paused after 2 h of 8: no timer while it waits.
    expect(w.timers.get(ticketId)?.timer).toBeUndefined();
    await w.at(T0 + 10 * HOUR);
    expect(await escalationsOf(w.store, ticketId)).toEqual([]);

    await w.command({ type: 'customer-reply', ticketId, actor: admin, text: 'Attached' }, T0 + 10 * HOUR);
    await w.sync();
    // 4 h more to the warning (6 h used), 6 h more to the breach.
    expect(w.timers.get(ticketId)?.timer).toMatchObject({ at: new Date(T0 + 14 * HOUR), reason: 'warning', clock: 'resolution' });
    await w.at(T0 + 14 * HOUR - 1);
    expect(await escalationsOf(w.store, ticketId)).toEqual([]);
    await w.at(T0 + 14 * HOUR);
    await w.at(T0 + 16 * HOUR);
    expect(await levels(w, ticketId)).toEqual(['0:resolution:1', '0:resolution:2']);
  });

  it('downgrades after the collaboration window, once per wait, and never below C', async () => {
    const w = await started();
    const ticketId = await w.open({ severity: 'A', at: T0 });
    await w.command({ type: 'triage', ticketId, actor: agent }, T0 + 10 * MINUTE);
    await w.command({ type: 'request-info', ticketId, actor: agent }, T0 + 20 * MINUTE);
    await w.sync();
    const window = w.timers.get(ticketId)?.timer;
    expect(window).toMatchObject({ reason: 'collaboration-window', cycle: 0 });
    const due = window?.at.getTime() ?? 0;
    // Two business days of New York office hours (09:00-17:00) from Monday 04:20 local: Tuesday 17:00.
    expect(iso(due)).toBe('2026-11-03T22:00:00.000Z');

    await w.at(due - 1);
    expect((await historyOf(w.store, ticketId)).some((e) => e.type === 'TicketDowngraded')).toBe(false);
    await w.at(due);
    const downgraded = (await historyOf(w.store, ticketId)).filter((e) => e.type === 'TicketDowngraded');
    expect(downgraded).toMatchObject([{ data: { from: 'A', to: 'B' }, actor: SLA_ACTOR, occurredAt: iso(due) }]);
    expect(w.timers.get(ticketId)?.timer).toBeUndefined();

    // The customer answers, the agent asks again: a second wait in the same cycle downgrades again.
    await w.command({ type: 'customer-reply', ticketId, actor: admin }, due + HOUR);
    await w.command({ type: 'request-info', ticketId, actor: agent }, due + 2 * HOUR);
    await w.sync();
    const second = w.timers.get(ticketId)?.timer?.at.getTime() ?? 0;
    await w.at(second);
    const after = (await historyOf(w.store, ticketId)).filter((e) => e.type === 'TicketDowngraded');
    expect(after.map((e) => e.type === 'TicketDowngraded' && `${e.data.from}>${e.data.to}`)).toEqual(['A>B', 'B>C']);

    // At C there is nothing left to lower: no timer for a third wait.
    await w.command({ type: 'customer-reply', ticketId, actor: admin }, second + HOUR);
    await w.command({ type: 'request-info', ticketId, actor: agent }, second + 2 * HOUR);
    await w.sync();
    expect(w.timers.get(ticketId)?.timer).toBeUndefined();
  });

  it('closes a resolved ticket as auto-close after its 7 quiet days', async () => {
    const w = await started();
    const ticketId = await w.open({ severity: 'B', at: T0 });
    await w.command({ type: 'triage', ticketId, actor: agent }, T0 + HOUR);
    await w.command({ type: 'resolve', ticketId, actor: agent, text: 'Fixed' }, T0 + 2 * HOUR);
    await w.sync();
    const closeAt = T0 + 2 * HOUR + 7 * DAY;
    expect(w.timers.get(ticketId)?.timer).toMatchObject({ at: new Date(closeAt), reason: 'auto-close' });
    await w.at(closeAt - 1);
    expect((await historyOf(w.store, ticketId)).at(-1)?.type).toBe('TicketResolved');
    await w.at(closeAt);
    const closed = (await historyOf(w.store, ticketId)).at(-1);
    expect(closed).toMatchObject({ type: 'TicketClosed', data: { reason: 'auto-close' }, actor: SLA_ACTOR, occurredAt: iso(closeAt) });
    expect(w.timers.get(ticketId)?.timer).toBeUndefined();
  });
});

describe('SlaTimer: exactly once', () => {
  it('drops duplicate and replayed messages by (ticket, revision), and a replay into a fresh worker escalates nothing twice', async () => {
    const w = await started();
    const ticketId = await w.open({ severity: 'A', at: T0 });
    await w.sync();
    await w.at(T0 + 45 * MINUTE);
    const applied = w.sla.stats.applied;
    await w.relay.replayAll();
    await w.relay.replayAll();
    await waitFor(() => w.sla.stats.duplicates >= 4, 'the replayed messages to be dropped');
    expect(w.sla.stats.applied).toBe(applied);

    // A worker that lost its timers (new file) and hears everything again from the beginning.
    const fresh = new SlaTimerStore(join(dir, `${randomUUID()}.db`), { synchronous: 'normal' });
    const other = new SlaTimer({ store: w.store, bus: w.bus, timers: fresh, clock: w.clock, group: 'sla-timer-2', log: () => undefined });
    await other.start();
    await waitFor(() => fresh.lastRevision(ticketId) === 1n, 'the fresh worker to learn the ticket');
    await other.runDue();
    expect(fresh.get(ticketId)?.timer).toMatchObject({ reason: 'breach' });
    await other.stop();
    fresh.close();
    expect(await levels(w, ticketId)).toEqual(['0:initial-response:1']);
  });

  it('acts only on what the history says: a stale timer row costs a read, not an escalation', async () => {
    const w = await started();
    const ticketId = await w.open({ severity: 'A', at: T0 });
    await w.command({ type: 'triage', ticketId, actor: agent }, T0 + 5 * MINUTE);
    await w.sync();
    // As if a worker had missed the triage: a warning timer still pending, saved for an old revision.
    w.timers.save({ ticketId, revision: 1n, timer: { at: new Date(T0), reason: 'warning', clock: 'initial-response', cycle: 0, level: 1 }, attempts: 0 });
    await w.at(T0 + HOUR);
    expect(await escalationsOf(w.store, ticketId)).toEqual([]);
    expect(w.timers.get(ticketId)?.timer).toBeUndefined();
  });

  it('escalates each ticket once when two workers on the same file fire the same burst concurrently', async () => {
    const w = await started();
    const tickets: string[] = [];
    for (let i = 0; i < 20; i++) tickets.push(await w.open({ severity: 'A', at: T0 + i }));
    await w.sync();
    const secondStore = new SlaTimerStore(w.file, { synchronous: 'normal' });
    const second = new SlaTimer({ store: w.store, bus: w.bus, timers: secondStore, clock: w.clock, log: () => undefined });
    w.clock.set(T0 + 2 * HOUR);
    await Promise.all([w.sla.runDue(), second.runDue(), w.sla.runDue()]);
    secondStore.close();
    for (const ticketId of tickets) expect(await levels(w, ticketId)).toEqual(['0:initial-response:1', '0:initial-response:2']);
    // Each worker may believe it recorded an escalation the other one stored first (the store
    // recognised the event id, derived from the command id): the store holds each exactly once.
    expect(w.sla.stats.recorded + second.stats.recorded + w.sla.stats.repeated + second.stats.repeated).toBeGreaterThanOrEqual(40);
  });

  it('keeps its timers across a restart: they fire without any new message', async () => {
    const w = await started();
    const ticketId = await w.open({ severity: 'A', at: T0 });
    await w.sync();
    await w.restart();
    expect(w.timers.get(ticketId)?.timer).toMatchObject({ reason: 'warning', at: new Date(T0 + 45 * MINUTE) });
    w.clock.set(T0 + 45 * MINUTE);
    await w.sla.start();
    // The scheduler's first scan runs as it starts.
    await waitFor(() => w.sla.stats.recorded === 1, 'the restarted worker to escalate');
    await w.sync();
    expect(w.sla.stats.applied).toBe(0);
    expect(await levels(w, ticketId)).toEqual(['0:initial-response:1']);
  });

  it('catches up from the event store for tickets whose messages it never got', async () => {
    const w = await started();
    const heard = await w.open({ severity: 'A', at: T0 });
    await w.sync();
    // Opened while the topic lost its messages (retention): nothing is published for it.
    const unheard = await w.open({ severity: 'A', at: T0 + 1 });
    expect(await w.sla.catchUpFromStore()).toBe(1);
    expect(await w.sla.catchUpFromStore()).toBe(0);
    expect(w.timers.get(unheard)?.timer).toMatchObject({ reason: 'warning', at: new Date(T0 + 1 + 45 * MINUTE) });
    await w.at(T0 + 46 * MINUTE);
    expect(await levels(w, heard)).toEqual(['0:initial-response:1']);
    expect(await levels(w, unheard)).toEqual(['0:initial-response:1']);
  });

  it('wakes early when a new timer is earlier than its next look, and stops cleanly', async () => {
    // A poll interval far longer than the test: only the early wake-up can fire the timer.
    const w = await started({ worker: { pollIntervalMs: 60_000 } });
    await w.open({ severity: 'A', at: T0 + 2 * HOUR - 50 * MINUTE });
    w.clock.set(T0 + 2 * HOUR);
    await w.relay.flush();
    await waitFor(() => w.sla.stats.recorded === 1, 'the overdue warning');
    await w.sla.stop();
    await w.sla.stop();
  });

  it('skips messages that are not ticket events, and retries then gives up on ones it cannot apply', async () => {
    const lines: string[] = [];
    const w = openWorld(join(dir, `${randomUUID()}.db`), { worker: { log: (line) => lines.push(line), maxMessageAttempts: 2 } });
    worlds.push(w);
    const message = (value: string, headers: Record<string, string> = {}, attempt = 1): ReceivedMessage => ({
      topic: 't', partition: 0, offset: '0', key: '', value: Buffer.from(value), headers, timestamp: iso(T0), attempt,
    });
    await w.sla.onMessage(message('not json'));
    await w.sla.onMessage(message(JSON.stringify({ type: 'SomethingElse', version: 1 })));
    expect(w.sla.stats.invalid).toBe(2);

    // A message about a ticket the store does not have (yet): retried, then given up.
    const ticketId = await w.open({ at: T0 });
    const [record] = await w.store.readStream(`ticket-${ticketId}`);
    if (record === undefined) throw new Error('the ticket was not stored');
    const ahead = { ...toTicketMessage(record), headers: { caseflow_revision: '5' } };
    const received = (attempt: number): ReceivedMessage => ({ ...message(String(ahead.value), ahead.headers, attempt), key: ticketId });
    await expect(w.sla.onMessage(received(1))).rejects.toThrow(/revision 0, a message says 5/);
    await w.sla.onMessage(received(2));
    expect(w.sla.stats.failed).toBe(1);
    expect(lines.some((l) => l.includes('gave up'))).toBe(true);
  });
});
