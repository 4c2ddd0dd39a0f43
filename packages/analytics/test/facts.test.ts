import { describe, expect, it } from '@jest/globals';
import type { TicketEvent } from '@caseflow/domain';
import type { ClockDefinition, SlaPolicy } from '@caseflow/sla';
import { defaultPolicy } from '@caseflow/sla';
import { ticketFacts } from '@caseflow/analytics';
import { DAY, HOUR, MINUTE, T, after, compacted, story } from './story.js';

const factsOf = (events: TicketEvent[]) => ticketFacts(events, defaultPolicy);

const [responseClock] = defaultPolicy.clocks;
if (responseClock === undefined) throw new Error('the default policy has an initial-response clock');
/** The default policy with its initial-response clock changed. */
const policyWith = (changes: Partial<ClockDefinition>): SlaPolicy => ({ ...defaultPolicy, clocks: [{ ...responseClock, ...changes }] });

describe('the initial response in the facts', () => {
  it.each([
    { title: 'met when triage comes within the target', outcome: 'met', triagedAfter: 40 * MINUTE },
    { title: 'breached, and still measured, when triage comes late', outcome: 'breached', triagedAfter: 90 * MINUTE },
  ] as const)('is $title', ({ outcome, triagedAfter }) => {
    // Given an enterprise Sev A ticket (1 h on the wall clock), when it is triaged after 40 or 90 minutes
    const { events } = story({ severity: 'A' }, T).triage(after(T, triagedAfter));
    // then the response was measured, due an hour after opening, and met only if it came within that hour
    expect(factsOf(events).initialResponse).toEqual({ outcome, businessMs: triagedAfter, respondedAt: after(T, triagedAfter), dueAt: after(T, HOUR), running: false });
  });

  it('is pending and running while not yet due at the last event, with the instant it falls due', () => {
    const { events } = story({ severity: 'A' }, T).note(after(T, 10 * MINUTE));
    expect(factsOf(events).initialResponse).toEqual({ outcome: 'pending', businessMs: null, respondedAt: null, dueAt: after(T, HOUR), running: true });
  });

  it('is breached without a response time when the clock ran out before the last event', () => {
    const { events } = story({ severity: 'A' }, T).note(after(T, 2 * HOUR));
    expect(factsOf(events).initialResponse).toEqual({ outcome: 'breached', businessMs: null, respondedAt: null, dueAt: after(T, HOUR), running: false });
  });

  it('is pending but not running while a clock that pauses for the customer waits', () => {
    // Given a policy whose first clock runs until the resolve (paused while awaiting the customer)
    const untilResolved = policyWith({ fulfilledBy: ['TicketResolved'] });
    // when the ticket waits for the customer
    const { events } = story({ severity: 'B' }, T).triage(after(T, HOUR)).requestInfo(after(T, 2 * HOUR));
    // then the response is pending, projected as if the clock resumed at the last event
    expect(ticketFacts(events, untilResolved).initialResponse).toEqual({
      outcome: 'pending',
      businessMs: null,
      respondedAt: null,
      dueAt: after(T, 2 * HOUR + 22 * HOUR),
      running: false,
    });
  });

  it('is pending, with nothing due, while the policy’s first clock has not started', () => {
    const startsAtTriage = policyWith({ startedBy: ['TicketTriaged'], fulfilledBy: ['TicketResolved'] });
    const { events } = story({ severity: 'A' }, T).note(after(T, 2 * HOUR));
    expect(ticketFacts(events, startsAtTriage).initialResponse).toEqual({ outcome: 'pending', businessMs: null, respondedAt: null, dueAt: null, running: false });
  });

  it('has no commitment on the business plan at Sev B, yet measures the response on business hours', () => {
    // Given a business Sev B ticket opened Friday 11:00 New York, when it is triaged Monday 10:00
    const { events } = story({ plan: 'business', severity: 'B' }, T).triage('2026-11-23T15:00:00.000Z');
    // then Friday 11:00–17:00 and Monday 09:00–10:00 count: 7 business hours, and nothing was due
    expect(factsOf(events).initialResponse).toEqual({
      outcome: 'no-commitment',
      businessMs: 7 * HOUR,
      respondedAt: '2026-11-23T15:00:00.000Z',
      dueAt: null,
      running: false,
    });
  });

  it('has no commitment and no response time for a ticket without a commitment cancelled before triage', () => {
    const { events } = story({ plan: 'business', severity: 'B' }, T).close(after(T, HOUR), 'cancelled');
    expect(factsOf(events).initialResponse).toEqual({ outcome: 'no-commitment', businessMs: null, respondedAt: null, dueAt: null, running: false });
  });

  it('is stopped when the ticket is cancelled before triage and before it was due', () => {
    const { events } = story({ severity: 'B' }, T).close(after(T, HOUR), 'cancelled');
    expect(factsOf(events).initialResponse).toEqual({ outcome: 'stopped', businessMs: null, respondedAt: null, dueAt: after(T, DAY), running: false });
  });

  it('follows the policy it is replayed under: a what-if with a shorter target breaches what the pinned one met', () => {
    const { events } = story({ severity: 'B' }, T).triage(after(T, 3 * HOUR));
    const twoHours = { within: 'PT2H', calendar: '24x7' };
    const strict = { ...policyWith({ targets: { ...responseClock.targets, enterprise: { ...responseClock.targets.enterprise, technical: { A: twoHours, B: twoHours, C: twoHours } } } }), id: 'strict', version: 3 };
    expect(factsOf(events)).toMatchObject({ policy: { id: 'm365-default', version: 1 }, initialResponse: { outcome: 'met' } });
    expect(ticketFacts(events, strict)).toMatchObject({ policy: { id: 'strict', version: 3 }, initialResponse: { outcome: 'breached', dueAt: after(T, 2 * HOUR) } });
  });
});

describe('the life of the ticket in the facts', () => {
  it('records who, what and when from the opening', () => {
    const { events } = story({ plan: 'elevated', region: 'DE', category: 'billing', severity: 'B', tenant: 'fabrikam' }, T, 'T-42').note(after(T, HOUR));
    expect(factsOf(events)).toMatchObject({
      ticketId: 'T-42',
      tenant: 'fabrikam',
      plan: 'elevated',
      region: 'DE',
      category: 'billing',
      severity: 'B',
      openedAt: T,
      lastEventAt: after(T, HOUR),
      policy: { id: 'm365-default', version: 1 },
    });
    expect(factsOf(events)).not.toHaveProperty('followUpOf');
  });

  it('adds up the waits for the customer that ended, not the one still going on', () => {
    // Given a ticket that waited 2 h, then 3 h, and is waiting again
    const { events } = story({}, T)
      .triage(after(T, HOUR))
      .requestInfo(after(T, 2 * HOUR))
      .customerReply(after(T, 4 * HOUR))
      .requestInfo(after(T, 5 * HOUR))
      .customerReply(after(T, 8 * HOUR))
      .requestInfo(after(T, 9 * HOUR));
    // then 5 h count
    expect(factsOf(events).awaitingCustomerMs).toBe(5 * HOUR);
  });

  it('counts a downgrade, and the wait before and after it, with the severity lowered from the downgrade on', () => {
    const { events } = story({ severity: 'B' }, T)
      .triage(after(T, HOUR))
      .requestInfo(after(T, 2 * HOUR))
      .downgrade(after(T, 2 * DAY))
      .customerReply(after(T, 3 * DAY));
    const facts = factsOf(events);
    expect(facts.downgrades).toBe(1);
    expect(facts.awaitingCustomerMs).toBe(3 * DAY - 2 * HOUR);
    expect(facts.severity).toBe('B');
    expect(facts.stays).toEqual([
      { state: 'opened', severity: 'B', from: T, to: after(T, HOUR) },
      { state: 'triaged', severity: 'B', from: after(T, HOUR), to: after(T, 2 * HOUR) },
      { state: 'awaitingCustomer', severity: 'B', from: after(T, 2 * HOUR), to: after(T, 2 * DAY) },
      { state: 'downgraded', severity: 'C', from: after(T, 2 * DAY), to: after(T, 3 * DAY) },
      { state: 'triaged', severity: 'C', from: after(T, 3 * DAY), to: null },
    ]);
  });

  it('records every close and reopen, in order', () => {
    const { events } = story({}, T)
      .triage(after(T, HOUR))
      .resolve(after(T, 2 * HOUR))
      .close(after(T, 3 * HOUR))
      .reopen(after(T, DAY))
      .triage(after(T, DAY + HOUR))
      .resolve(after(T, DAY + 2 * HOUR))
      .close(after(T, DAY + 3 * HOUR));
    const facts = factsOf(events);
    expect(facts).toMatchObject({ reopens: 1, closedAt: [after(T, 3 * HOUR), after(T, DAY + 3 * HOUR)], reopenedAt: [after(T, DAY)] });
    expect(facts.stays.map((stay) => stay.state)).toEqual(['opened', 'triaged', 'resolved', 'closed', 'reopened', 'triaged', 'resolved', 'closed']);
    // The second response cycle does not change how the first response went.
    expect(facts.initialResponse).toMatchObject({ outcome: 'met', respondedAt: after(T, HOUR) });
  });

  it('counts escalations per level across response cycles', () => {
    const { events } = story({ severity: 'A' }, T)
      .escalate(after(T, 45 * MINUTE), 1)
      .escalate(after(T, HOUR), 2)
      .triage(after(T, 2 * HOUR))
      .resolve(after(T, 3 * HOUR))
      .reopen(after(T, 4 * HOUR))
      .escalate(after(T, 4 * HOUR + 45 * MINUTE), 1);
    expect(factsOf(events).escalations).toEqual({ '1': 2, '2': 1 });
  });

  it('gives each stay the severity it was entered with: triage sets it, a later change shows from the next stay', () => {
    const { events } = story({ severity: 'C' }, T)
      .triage(after(T, HOUR), 'B')
      .changeSeverity(after(T, 2 * HOUR), 'A')
      .requestInfo(after(T, 3 * HOUR));
    expect(factsOf(events).stays).toEqual([
      { state: 'opened', severity: 'C', from: T, to: after(T, HOUR) },
      { state: 'triaged', severity: 'B', from: after(T, HOUR), to: after(T, 3 * HOUR) },
      { state: 'awaitingCustomer', severity: 'A', from: after(T, 3 * HOUR), to: null },
    ]);
  });

  it('links the ticket it follows up, from TicketOpened v2 `followUpOf` and from v1 `relatedTicketId`', () => {
    const { events } = story({ relatedTicketId: 'T-7' }, T, 'T-8');
    expect(factsOf(events).followUpOf).toBe('T-7');

    const [opened, ...rest] = events;
    if (opened?.type !== 'TicketOpened') throw new Error('a story starts with TicketOpened');
    const { followUpOf: _v2, ...v1Data } = opened.data as Record<string, unknown>;
    // As stored before v2 and read without upcasting: not a current event, hence the double cast.
    const v1 = { ...opened, version: 1, data: { ...v1Data, relatedTicketId: 'T-7' } } as unknown as TicketEvent;
    expect(factsOf([v1, ...rest]).followUpOf).toBe('T-7');
  });
});

describe('facts as stored', () => {
  /** A ticket that touches every kind of fact. */
  const eventful = () =>
    story({ severity: 'B' }, T)
      .escalate(after(T, 18 * HOUR), 1)
      .triage(after(T, 20 * HOUR), 'A')
      .requestInfo(after(T, 21 * HOUR))
      .downgrade(after(T, 3 * DAY))
      .customerReply(after(T, 4 * DAY))
      .note(after(T, 4 * DAY + HOUR))
      .resolve(after(T, 5 * DAY))
      .close(after(T, 6 * DAY))
      .reopen(after(T, 7 * DAY)).events;

  it('are the same from the read model’s compact history as from the full one, byte for byte', () => {
    const full = eventful();
    expect(JSON.stringify(ticketFacts(full.map(compacted), defaultPolicy))).toBe(JSON.stringify(factsOf(full)));
  });

  it('are plain JSON with a fixed key order', () => {
    const facts = factsOf(eventful());
    expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
    expect(Object.keys(facts)).toEqual([
      'ticketId',
      'tenant',
      'plan',
      'region',
      'category',
      'severity',
      'openedAt',
      'lastEventAt',
      'policy',
      'initialResponse',
      'awaitingCustomerMs',
      'downgrades',
      'reopens',
      'escalations',
      'closedAt',
      'reopenedAt',
      'stays',
    ]);
    expect(Object.keys(factsOf(story({ relatedTicketId: 'T-0' }, T).events))).toContain('followUpOf');
    expect(Object.keys(facts.initialResponse)).toEqual(['outcome', 'businessMs', 'respondedAt', 'dueAt', 'running']);
  });

  it('refuse a history that does not start with the opening, and leave it as it was', () => {
    const events = story({}, T).triage(after(T, HOUR)).events;
    const withoutOpening = events.slice(1);
    const before = structuredClone(withoutOpening);
    expect(() => factsOf(withoutOpening)).toThrow('a ticket history starts with TicketOpened, this one with TicketTriaged');
    expect(withoutOpening).toEqual(before);
    expect(() => factsOf([])).toThrow('this one with nothing');
  });
});
