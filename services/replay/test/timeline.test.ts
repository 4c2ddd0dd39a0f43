import { describe, expect, it } from '@jest/globals';
import type { Actor, CommandInput } from '@caseflow/domain';
import { readTicketAt } from '@caseflow/engine';
import type { ClockDefinition, SlaPolicy } from '@caseflow/sla';
import { defaultPolicy } from '@caseflow/sla';
import type { TicketReplay, TicketTimeline } from '../src/timeline.js';
import { renderTimeline, replayTicket } from '../src/timeline.js';
import { accepted, alice, openByAlice, sam, sqliteStores } from './support.js';

const newStore = sqliteStores('caseflow-replay-timeline-');

const kai: Actor = { id: 'kai', role: 'supervisor', tenant: 'support' };
const slaTimer: Actor = { id: 'sla-timer', role: 'service', tenant: 'support' };

/** A Monday morning: every ticket here is opened then. */
const T0 = '2026-03-02T09:00:00.000Z';
const after = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000);

const LONG_NOTE = 'Customer says the connector certificate expired on Friday night and nobody noticed until Monday';

type WorkflowType = Exclude<CommandInput['type'], 'open'>;
/** A command on an existing ticket, without the ids the helper fills in. */
type WorkflowCommand = { [T in WorkflowType]: Omit<Extract<CommandInput, { type: T }>, 'commandId' | 'ticketId'> }[WorkflowType];

/** A ticket store in a fresh SQLite file, acted on by a real engine whose clock each command sets. */
function ticketStore() {
  const store = newStore();
  return {
    store,
    /** Opens an enterprise technical severity A ticket at T0. */
    open: async () => (await accepted(store, after(0), openByAlice('A', 'Mail flow down'))).ticketId,
    act: (minutes: number, ticketId: string, command: WorkflowCommand) => accepted(store, after(minutes), { ...command, ticketId }),
  };
}

/** The life of a ticket from open to close, each step some minutes after T0. */
async function ticketThroughItsLife() {
  const tickets = ticketStore();
  const id = await tickets.open();
  await tickets.act(45, id, { type: 'escalate', actor: slaTimer, level: 1, clock: 'initial-response', reason: 'warning' });
  await tickets.act(50, id, { type: 'triage', actor: sam, severity: 'B', owner: 'sam' });
  await tickets.act(60, id, { type: 'request-info', actor: sam, text: 'Please send a message trace' });
  await tickets.act(120, id, { type: 'customer-reply', actor: alice, text: 'Attached' });
  await tickets.act(150, id, { type: 'escalate', actor: kai, level: 2, reason: 'customer is a VIP' });
  await tickets.act(180, id, { type: 'note', actor: sam, text: LONG_NOTE, visibility: 'internal' });
  await tickets.act(240, id, { type: 'resolve', actor: sam, text: 'Connector certificate renewed' });
  await tickets.act(300, id, { type: 'close', actor: alice, reason: 'confirmed' });
  return { ...tickets, id };
}

function timeline(replay: TicketReplay | undefined): TicketTimeline {
  if (replay?.kind !== 'timeline') throw new Error(`expected a timeline, got ${JSON.stringify(replay)}`);
  return replay;
}

/** A policy with a second clock, for the time to resolve, that pauses while the customer is asked. */
const resolutionClock: ClockDefinition = {
  ...(defaultPolicy.clocks[0] as ClockDefinition),
  name: 'resolution',
  fulfilledBy: ['TicketResolved'],
};
const withResolutionClock: SlaPolicy = { ...defaultPolicy, clocks: [...defaultPolicy.clocks, resolutionClock] };

describe('replayTicket', () => {
  it('shows each event of a whole life with the state, severity and clocks right after it', async () => {
    const { store, id } = await ticketThroughItsLife();

    const replay = timeline(await replayTicket(store, id, { policies: [defaultPolicy] }));

    expect(replay.ticket).toEqual({
      id,
      title: 'Mail flow down',
      tenant: 'contoso',
      plan: 'enterprise',
      region: 'US',
      policy: 'm365-default@1',
      clocksPolicy: 'm365-default@1',
    });
    expect(replay.asOf).toBeNull();
    expect(replay.steps.map((step) => [step.revision, step.occurredAt, step.type, step.actor, step.state, step.severity])).toEqual([
      [0, '2026-03-02T09:00:00.000Z', 'TicketOpened', 'customer-admin:alice@contoso', 'opened', 'A'],
      [1, '2026-03-02T09:45:00.000Z', 'TicketEscalated', 'service:sla-timer@support', 'opened', 'A'],
      [2, '2026-03-02T09:50:00.000Z', 'TicketTriaged', 'agent:sam@support', 'triaged', 'B'],
      [3, '2026-03-02T10:00:00.000Z', 'InfoRequested', 'agent:sam@support', 'awaitingCustomer', 'B'],
      [4, '2026-03-02T11:00:00.000Z', 'CustomerReplied', 'customer-admin:alice@contoso', 'triaged', 'B'],
      [5, '2026-03-02T11:30:00.000Z', 'TicketEscalated', 'supervisor:kai@support', 'triaged', 'B'],
      [6, '2026-03-02T12:00:00.000Z', 'NoteAdded', 'agent:sam@support', 'triaged', 'B'],
      [7, '2026-03-02T13:00:00.000Z', 'TicketResolved', 'agent:sam@support', 'resolved', 'B'],
      [8, '2026-03-02T14:00:00.000Z', 'TicketClosed', 'customer-admin:alice@contoso', 'closed', 'B'],
    ]);
    expect(replay.steps.map((step) => step.summary)).toEqual([
      'opened as A technical: Mail flow down',
      'escalated to level 1 (initial-response): warning',
      'triaged as B, owner sam',
      'info requested: Please send a message trace',
      'customer replied: Attached',
      'escalated to level 2: customer is a VIP',
      `internal note: ${LONG_NOTE.slice(0, 59)}…`,
      'resolved: Connector certificate renewed',
      'closed (confirmed)',
    ]);
    // Severity A on enterprise: one hour around the clock, answered by the triage at 09:50.
    expect(replay.steps.map((step) => step.clocks.map((clock) => `${clock.name} ${clock.status} ${clock.remaining ?? ''}`))).toEqual([
      ['initial-response running 1h'],
      ['initial-response running 15m'],
      ...Array.from({ length: 7 }, () => ['initial-response fulfilled 10m']),
    ]);
    expect(replay.steps[0]?.clocks).toEqual([
      { name: 'initial-response', cycle: 0, status: 'running', dueAt: '2026-03-02T10:00:00.000Z', remaining: '1h', remainingMs: 3_600_000 },
    ]);
  });

  it('cut at an instant shows what had happened by then and the ticket as the engine reads it then', async () => {
    const { store, id } = await ticketThroughItsLife();
    const at = new Date('2026-03-02T10:30:00Z');

    const replay = timeline(await replayTicket(store, id, { at, policies: [defaultPolicy] }));
    const engineView = await readTicketAt(store, id, at);

    expect(replay.steps.map((step) => step.type)).toEqual(['TicketOpened', 'TicketEscalated', 'TicketTriaged', 'InfoRequested']);
    expect(replay.asOf).toEqual({
      at: '2026-03-02T10:30:00.000Z',
      revision: engineView?.revision,
      state: engineView?.state,
      severity: engineView?.severity,
      owner: engineView?.owner,
      escalationLevel: engineView?.escalationLevel,
      clocks: [{ name: 'initial-response', cycle: 0, status: 'fulfilled', dueAt: '2026-03-02T10:00:00.000Z', remaining: '10m', remainingMs: 600_000 }],
    });
    expect(replay.asOf).toMatchObject({ revision: 3, state: 'awaitingCustomer', severity: 'B', owner: 'sam', escalationLevel: 1 });
  });

  it('counts an event that occurred exactly at the instant as having happened', async () => {
    const { store, id } = await ticketThroughItsLife();

    const replay = timeline(await replayTicket(store, id, { at: new Date('2026-03-02T11:00:00Z'), policies: [defaultPolicy] }));

    expect(replay.steps.at(-1)?.type).toBe('CustomerReplied');
    expect(replay.asOf?.state).toBe('triaged');
  });

  it('says a ticket did not exist yet at an instant before it was opened', async () => {
    const { store, id } = await ticketThroughItsLife();

    const replay = await replayTicket(store, id, { at: new Date('2026-03-02T08:59:59Z'), policies: [defaultPolicy] });

    expect(replay).toEqual({ kind: 'not-yet-opened', ticketId: id, at: '2026-03-02T08:59:59.000Z', openedAt: '2026-03-02T09:00:00.000Z' });
    expect(await readTicketAt(store, id, new Date('2026-03-02T08:59:59Z'))).toBeUndefined();
    expect(renderTimeline(replay as TicketReplay, 'table')).toBe(
      `ticket ${id} did not exist yet at 2026-03-02T08:59:59Z (it was opened at 2026-03-02T09:00:00Z)\n`,
    );
  });

  it('finds no ticket under an id that was never opened', async () => {
    const { store } = ticketStore();

    expect(await replayTicket(store, 'no-such-ticket', { policies: [defaultPolicy] })).toBeUndefined();
    expect(await replayTicket(store, 'no-such-ticket', { at: new Date(T0), policies: [defaultPolicy] })).toBeUndefined();
  });

  it('shows a late first response as breached and a clock paused while the customer is asked', async () => {
    const tickets = ticketStore();
    const id = await tickets.open();
    await tickets.act(90, id, { type: 'triage', actor: sam, severity: 'B', owner: 'sam' });
    await tickets.act(120, id, { type: 'request-info', actor: sam });

    const replay = timeline(await replayTicket(tickets.store, id, { at: after(180), policies: [withResolutionClock] }));

    // Triaged 30 minutes past severity A's hour; the resolution clock then counts towards
    // severity B's 24 hours, and stands still from the request for information on.
    expect(replay.steps.map((step) => step.clocks.map((clock) => `${clock.name} ${clock.status} ${clock.remaining ?? ''}`))).toEqual([
      ['initial-response running 1h', 'resolution running 1h'],
      ['initial-response breached -30m', 'resolution running 22h 30m'],
      ['initial-response breached -30m', 'resolution paused 22h'],
    ]);
    expect(replay.asOf?.clocks.map((clock) => [clock.name, clock.status, clock.dueAt])).toEqual([
      ['initial-response', 'breached', '2026-03-02T10:00:00.000Z'],
      // Projected as if it ran on from the instant asked about.
      ['resolution', 'paused', '2026-03-03T10:00:00.000Z'],
    ]);
    const table = renderTimeline(replay, 'table');
    expect(table).toContain('initial-response breached, due 2026-03-02T10:00:00Z (30m late); resolution paused (22h left)\n');
  });

  it('computes the clocks under the first policy given when the pinned one is not among them', async () => {
    const tickets = ticketStore();
    const id = await tickets.open();
    const other: SlaPolicy = { ...withResolutionClock, id: 'what-if', version: 3 };

    const replay = timeline(await replayTicket(tickets.store, id, { policies: [other] }));

    expect(replay.ticket).toMatchObject({ policy: 'm365-default@1', clocksPolicy: 'what-if@3' });
    expect(replay.steps[0]?.clocks.map((clock) => clock.name)).toEqual(['initial-response', 'resolution']);
    expect(renderTimeline(replay, 'table')).toContain('policy m365-default@1 (not known here: clocks under what-if@3)\n');
  });

  it('sums up downgrades, severity changes, assignments and public notes in a few words', async () => {
    const tickets = ticketStore();
    const id = await tickets.open();
    await tickets.act(10, id, { type: 'triage', actor: sam, category: 'technical', queue: 'exchange' });
    await tickets.act(20, id, { type: 'request-info', actor: sam });
    await tickets.act(30, id, { type: 'downgrade', actor: sam, reason: 'no answer for two days' });
    await tickets.act(40, id, { type: 'customer-reply', actor: alice });
    await tickets.act(50, id, { type: 'change-severity', actor: kai, severity: 'A', reason: 'outage widened' });
    await tickets.act(60, id, { type: 'assign', actor: kai, owner: 'lee', queue: 'escalations' });
    await tickets.act(70, id, { type: 'note', actor: sam, text: 'Working\n  on it' });

    const replay = timeline(await replayTicket(tickets.store, id, { policies: [defaultPolicy] }));

    expect(replay.steps.slice(1).map((step) => [step.summary, step.state, step.severity])).toEqual([
      ['triaged as A, queue exchange', 'triaged', 'A'],
      ['info requested', 'awaitingCustomer', 'A'],
      ['downgraded A → B: no answer for two days', 'downgraded', 'B'],
      ['customer replied', 'triaged', 'B'],
      ['severity B → A: outage widened', 'triaged', 'A'],
      ['assigned to lee, queue escalations', 'triaged', 'A'],
      ['note: Working on it', 'triaged', 'A'],
    ]);
  });

  it('refuses to replay without a policy or at an instant that is not one', async () => {
    const { store, id } = await ticketThroughItsLife();

    await expect(replayTicket(store, id, { policies: [] })).rejects.toThrow(new RangeError('replayTicket needs at least one SLA policy'));
    await expect(replayTicket(store, id, { at: new Date('not a date'), policies: [defaultPolicy] })).rejects.toThrow(RangeError);
  });
});

describe('renderTimeline', () => {
  it('renders a header and one aligned line per event, the same text every time', async () => {
    const { store, id } = await ticketThroughItsLife();
    const replay = timeline(await replayTicket(store, id, { at: new Date('2026-03-02T12:00:00Z'), policies: [defaultPolicy] }));

    const table = renderTimeline(replay, 'table');

    const note = `internal note: ${LONG_NOTE.slice(0, 59)}…`;
    const row = (occurredAt: string, actor: string, event: string, state: string, severity: string, clocks: string) =>
      [occurredAt, actor.padEnd(28), event.padEnd(note.length), state.padEnd(16), severity.padEnd(8), clocks].join('  ');
    const fulfilled = 'initial-response fulfilled';
    expect(table).toBe(
      [
        `ticket ${id}  Mail flow down`,
        'tenant contoso   plan enterprise   region US   policy m365-default@1',
        '',
        row('occurred at         ', 'actor', 'event', 'state', 'severity', 'clocks'),
        row('2026-03-02T09:00:00Z', 'customer-admin:alice@contoso', 'opened as A technical: Mail flow down', 'opened', 'A', 'initial-response running, due 2026-03-02T10:00:00Z (1h left)'),
        row('2026-03-02T09:45:00Z', 'service:sla-timer@support', 'escalated to level 1 (initial-response): warning', 'opened', 'A', 'initial-response running, due 2026-03-02T10:00:00Z (15m left)'),
        row('2026-03-02T09:50:00Z', 'agent:sam@support', 'triaged as B, owner sam', 'triaged', 'B', fulfilled),
        row('2026-03-02T10:00:00Z', 'agent:sam@support', 'info requested: Please send a message trace', 'awaitingCustomer', 'B', fulfilled),
        row('2026-03-02T11:00:00Z', 'customer-admin:alice@contoso', 'customer replied: Attached', 'triaged', 'B', fulfilled),
        row('2026-03-02T11:30:00Z', 'supervisor:kai@support', 'escalated to level 2: customer is a VIP', 'triaged', 'B', fulfilled),
        row('2026-03-02T12:00:00Z', 'agent:sam@support', note, 'triaged', 'B', fulfilled),
        '',
        'as of 2026-03-02T12:00:00Z (revision 6): triaged, severity B, owner sam, escalation level 2',
        `clocks: ${fulfilled}`,
        '',
      ].join('\n'),
    );
    expect(renderTimeline(timeline(await replayTicket(store, id, { at: new Date('2026-03-02T12:00:00Z'), policies: [defaultPolicy] })), 'table')).toBe(
      table,
    );
  });

  it('renders JSON with a stable key order, two-space indent and a trailing newline', async () => {
    const { store, id } = await ticketThroughItsLife();
    const replay = timeline(await replayTicket(store, id, { policies: [defaultPolicy] }));

    const json = renderTimeline(replay, 'json');

    expect(json.endsWith('}\n')).toBe(true);
    expect(json.split('\n')[1]).toBe('  "kind": "timeline",');
    const parsed = JSON.parse(json) as TicketTimeline;
    expect(parsed).toEqual(replay);
    expect(Object.keys(parsed)).toEqual(['kind', 'ticket', 'steps', 'asOf']);
    expect(Object.keys(parsed.steps[0] ?? {})).toEqual(['revision', 'occurredAt', 'type', 'actor', 'summary', 'state', 'severity', 'clocks']);
    expect(renderTimeline(timeline(await replayTicket(store, id, { policies: [defaultPolicy] })), 'json')).toBe(json);
  });
});
