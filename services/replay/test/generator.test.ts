import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { TicketEvent, TicketEventOf } from '@caseflow/domain';
import { TicketEvent as TicketEventSchema, eventIdFor, fold, reopenWindowMillis, ticketIdFor } from '@caseflow/domain';
import { fromStored, streamOf } from '@caseflow/engine';
import type { RecordedEvent } from '@caseflow/eventstore';
import { DuplicateEventIdError, openSqliteEventStore } from '@caseflow/eventstore';
import type { SlaPolicy } from '@caseflow/sla';
import { decisionPolicyOf, defaultPolicy, nextTimerAt } from '@caseflow/sla';
import { SLA_ACTOR, actionFor } from '@caseflow/sla-timer';
import { generateHistories, writeGeneratedLog } from '../src/generator/index.js';
import { byTicket, scratchDirectory } from './support.js';

const dir = scratchDirectory('caseflow-generator-');

const TICKETS = 2_000;
const log = [...generateHistories({ tickets: TICKETS, seed: 2026 })];

const tickets = byTicket(log);

const hashOf = (events: Iterable<TicketEvent>) => createHash('sha256').update(JSON.stringify([...events])).digest('hex');
const opened = (events: readonly TicketEvent[]) => events.filter((e): e is TicketEventOf<'TicketOpened'> => e.type === 'TicketOpened');
const byWorker = (event: TicketEvent) => event.actor.id === SLA_ACTOR.id && event.actor.role === SLA_ACTOR.role;

describe('generateHistories: the same seed, the same log', () => {
  it('gives identical events for the same seed, ids included, and another log for another seed', () => {
    const again = hashOf(generateHistories({ tickets: 300, seed: 7 }));
    expect(hashOf(generateHistories({ tickets: 300, seed: 7 }))).toBe(again);
    expect(hashOf(generateHistories({ tickets: 300, seed: 8 }))).not.toBe(again);
  });

  it('derives ticket and event ids from the seed the way the engine does, each id once', () => {
    const ids = new Set(log.map((e) => e.id));
    expect(ids.size).toBe(log.length);
    for (const event of log) expect(event.id).toBe(eventIdFor(event.ticketId, event.commandId, 0));
    for (const open of opened(log)) expect(open.ticketId).toBe(ticketIdFor(open.commandId));
    const [first] = opened([...generateHistories({ tickets: 1, seed: -12 })]);
    expect(first?.commandId).toBe('gen--12-0');
  });

  it('refuses a ticket count that is not a positive whole number, a seed that is not a whole number and an invalid start, at once', () => {
    expect(() => generateHistories({ tickets: 0, seed: 1 })).toThrow(/tickets must be a positive whole number/);
    expect(() => generateHistories({ tickets: 2.5, seed: 1 })).toThrow(RangeError);
    expect(() => generateHistories({ tickets: 10, seed: 0.5 })).toThrow(/seed must be a whole number/);
    expect(() => generateHistories({ tickets: 10, seed: 1, start: new Date('not a date') })).toThrow(/start must be a valid instant/);
  });
});

describe('generateHistories: a log the system could have written', () => {
  it('opens exactly the tickets asked for, from the start instant on, in global occurredAt order', () => {
    expect(opened(log)).toHaveLength(TICKETS);
    expect(tickets.size).toBe(TICKETS);
    const instants = log.map((e) => Date.parse(e.occurredAt));
    expect(instants.every((t, i) => i === 0 || t >= (instants[i - 1] as number))).toBe(true);
    expect(Math.min(...instants)).toBeGreaterThanOrEqual(Date.parse('2026-01-05T00:00:00Z'));
    const [first] = generateHistories({ tickets: 1, seed: 3, start: new Date('2027-03-01T12:00:00Z') });
    expect(Date.parse(first?.occurredAt ?? '')).toBeGreaterThanOrEqual(Date.parse('2027-03-01T12:00:00Z'));
  });

  it('gives each ticket a valid history: it starts with the opening, every event matches its schema, re-folds, and ends closed', () => {
    for (const [ticketId, history] of tickets) {
      expect(history[0]?.type).toBe('TicketOpened');
      for (const event of history) expect(TicketEventSchema.safeParse(event).success).toBe(true);
      const state = fold(history);
      expect(state.ticket?.id).toBe(ticketId);
      expect(state.status).toBe('closed');
    }
  });

  it('has the SLA worker act exactly when a timer falls due, as the real worker would, and leaves none pending', () => {
    for (const [ticketId, history] of tickets) {
      for (let i = 1; i <= history.length; i++) {
        const before = history.slice(0, i);
        const next = nextTimerAt(before, defaultPolicy);
        const event = history[i];
        if (event === undefined) {
          expect(next).toBeUndefined();
          continue;
        }
        const due = next !== undefined && next.at.getTime() <= Date.parse(event.occurredAt);
        expect({ ticketId, i, worker: byWorker(event) }).toEqual({ ticketId, i, worker: due });
        if (next !== undefined && due) expect(event.commandId).toBe(actionFor(ticketId, before, next, defaultPolicy).commandId);
      }
    }
  });
});

describe('generateHistories: a realistic mix', () => {
  const opens = opened(log);
  const data = opens.map((e) => e.data);
  const closes = log.filter((e): e is TicketEventOf<'TicketClosed'> => e.type === 'TicketClosed');

  it('opens tickets on every plan, in every region, of every severity and category, 21Vianet in CN with and without the agreement', () => {
    expect(new Set(data.map((d) => d.plan))).toEqual(new Set(['business', 'enterprise', 'frontline', 'elevated', '21vianet']));
    expect(new Set(data.map((d) => d.region))).toEqual(new Set(['US', 'GB', 'DE', 'FR', 'AU', 'JP', 'IN', 'BR', 'CN']));
    expect(new Set(data.map((d) => d.severity))).toEqual(new Set(['A', 'B', 'C']));
    expect(new Set(data.map((d) => d.category))).toEqual(new Set(['technical', 'billing', 'presales']));
    const vianet = data.filter((d) => d.plan === '21vianet');
    expect(vianet.every((d) => d.region === 'CN')).toBe(true);
    expect(vianet.some((d) => d.severity === 'A' && d.advancedAgreement)).toBe(true);
    expect(vianet.some((d) => !d.advancedAgreement)).toBe(true);
    expect(new Set(data.map((d) => d.tenant)).size).toBeGreaterThanOrEqual(35);
    expect(data.filter((d) => d.category === 'technical').length).toBeGreaterThan(data.length / 2);
  });

  it('has the worker warn and breach, downgrade after customer silence, and auto-close; agents upgrade severity and reassign', () => {
    const escalations = log.filter((e): e is TicketEventOf<'TicketEscalated'> => e.type === 'TicketEscalated' && byWorker(e));
    expect(new Set(escalations.map((e) => e.data.level))).toEqual(new Set([1, 2]));
    expect(log.some((e) => e.type === 'TicketDowngraded' && byWorker(e))).toBe(true);
    expect(closes.some((e) => e.data.reason === 'auto-close' && byWorker(e))).toBe(true);
    expect(log.some((e) => e.type === 'SeverityChanged')).toBe(true);
    expect(log.some((e) => e.type === 'TicketAssigned')).toBe(true);
    expect(log.some((e) => e.type === 'NoteAdded' && e.actor.role === 'customer-admin')).toBe(true);
    const triagedAfterBreach = [...tickets.values()].filter((history) => {
      const breach = history.findIndex((e) => e.type === 'TicketEscalated' && e.data.level === 2);
      return breach !== -1 && history.slice(breach).some((e) => e.type === 'TicketTriaged');
    });
    expect(triagedAfterBreach.length).toBeGreaterThan(0);
  });

  it('cancels some requests before triage, closes others as confirmed or unanswered, and reopens some within the window', () => {
    const reasons = new Set(closes.map((e) => e.data.reason));
    for (const reason of ['cancelled', 'duplicate', 'confirmed', 'no-response', 'auto-close']) expect(reasons).toContain(reason);
    for (const cancel of closes.filter((e) => e.data.reason === 'cancelled')) {
      expect(tickets.get(cancel.ticketId)?.some((e) => e.type === 'TicketTriaged')).toBe(false);
    }
    const reopenedAfterClose = [...tickets.values()].filter((history) =>
      history.some((e, i) => e.type === 'TicketReopened' && history[i - 1]?.type === 'TicketClosed'),
    );
    expect(reopenedAfterClose.length).toBeGreaterThan(0);
  });

  it('opens follow-ups for the same tenant after the closed ticket’s reopen window has passed', () => {
    const window = reopenWindowMillis(decisionPolicyOf(defaultPolicy));
    const followUps = opens.filter((e) => e.data.followUpOf !== undefined);
    expect(followUps.length).toBeGreaterThan(20);
    for (const followUp of followUps) {
      const earlier = tickets.get(followUp.data.followUpOf as string) ?? [];
      const closedAt = Date.parse(earlier.at(-1)?.occurredAt ?? '');
      expect(earlier.at(-1)?.type).toBe('TicketClosed');
      expect(Date.parse(followUp.occurredAt) - closedAt).toBeGreaterThan(window);
      expect(followUp.data.tenant).toBe(opened(earlier)[0]?.data.tenant);
    }
  });

  it('keeps to the policy it is given: no severity the policy withholds, follow-ups after its own reopen window', () => {
    const strict: SlaPolicy = {
      ...defaultPolicy,
      reopenWindow: 'P3D',
      availability: { ...defaultPolicy.availability, plansWithoutSeverityA: ['business', 'enterprise'] },
    };
    const events = [...generateHistories({ tickets: 400, seed: 11, policy: strict })];
    const histories = byTicket(events);
    const severitySet = (e: TicketEvent) =>
      e.type === 'TicketOpened' || e.type === 'TicketTriaged' ? e.data.severity : e.type === 'SeverityChanged' ? e.data.to : undefined;
    const withheld = [...histories.values()].filter((history) => ['business', 'enterprise'].includes(opened(history)[0]?.data.plan ?? ''));
    expect(withheld.length).toBeGreaterThan(100);
    for (const history of withheld) expect(history.map(severitySet)).not.toContain('A');
    expect(events.map(severitySet)).toContain('A');
    const followUps = opened(events).filter((e) => e.data.followUpOf !== undefined);
    expect(followUps.length).toBeGreaterThan(0);
    for (const followUp of followUps) {
      const closedAt = Date.parse(histories.get(followUp.data.followUpOf as string)?.at(-1)?.occurredAt ?? '');
      expect(Date.parse(followUp.occurredAt) - closedAt).toBeGreaterThan(3 * 24 * 3_600_000);
    }
  });

  it('is lazy: the first events of a ten-million-ticket log come without generating the rest', () => {
    const first: TicketEvent[] = [];
    for (const event of generateHistories({ tickets: 10_000_000, seed: 5 })) {
      first.push(event);
      if (first.length === 1_000) break;
    }
    expect(first).toHaveLength(1_000);
    expect(first[0]?.type).toBe('TicketOpened');
  });
});

describe('writeGeneratedLog', () => {
  async function storedIn(file: string): Promise<RecordedEvent[]> {
    const store = openSqliteEventStore(file);
    try {
      const records: RecordedEvent[] = [];
      for await (const record of store.readAll()) records.push(record);
      return records;
    } finally {
      await store.close();
    }
  }

  it('stores the generated log in order, one stream per ticket, each event recorded when it occurred', async () => {
    const file = join(dir, 'written.db');
    const store = openSqliteEventStore(file);
    const written = await writeGeneratedLog(store, { tickets: 300, seed: 9 });
    await store.close();

    const generated = [...generateHistories({ tickets: 300, seed: 9 })];
    const records = await storedIn(file);
    expect(written).toEqual({ tickets: 300, events: generated.length });
    expect(records.map(fromStored)).toEqual(generated);
    expect(records.map((r) => r.recordedAt)).toEqual(generated.map((e) => e.occurredAt));
    expect(records.map((r) => r.stream)).toEqual(generated.map((e) => streamOf(e.ticketId)));
  });

  it('refuses to write a seed’s log into a store that already holds it, and adds nothing', async () => {
    const file = join(dir, 'twice.db');
    const store = openSqliteEventStore(file);
    await writeGeneratedLog(store, { tickets: 50, seed: 4 });
    const before = store.lastPosition();

    await expect(writeGeneratedLog(store, { tickets: 80, seed: 4, start: new Date('2026-06-01T00:00:00Z') })).rejects.toThrow(DuplicateEventIdError);
    expect(store.lastPosition()).toBe(before);
    await store.close();
  });
});
