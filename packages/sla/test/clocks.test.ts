import { describe, expect, it } from '@jest/globals';
import type { TicketEvent } from '@caseflow/domain';
import type { SlaClock } from '../src/clocks.js';
import { clocks } from '../src/clocks.js';
import { defaultPolicy } from '../src/default-policy.js';
import type { SlaPolicy } from '../src/policy.js';
import { DAY, HOUR, MINUTE, RESOLUTION_CLOCK, after, iso, story, withResolutionClock } from './story.js';

/** A Friday, 11:00 in New York (EST). */
const T = '2026-11-20T16:00:00.000Z';
/** The same Friday, 20:00 in Shanghai. */
const SHANGHAI_EVENING = '2026-11-20T12:00:00.000Z';

const resolutionPolicy = withResolutionClock(defaultPolicy);

function clockOf(events: TicketEvent[], now: Date | string, name = 'initial-response', cycle = 0, policy: SlaPolicy = defaultPolicy): SlaClock {
  const clock = clocks(events, policy, new Date(now)).find((c) => c.name === name && c.cycle === cycle);
  if (clock === undefined) throw new Error(`no ${name} clock in cycle ${cycle}`);
  return clock;
}
const resolutionClock = (events: TicketEvent[], now: Date | string, cycle = 0) => clockOf(events, now, 'resolution', cycle, resolutionPolicy);

describe('the initial-response clock', () => {
  it('starts at open and is fulfilled by triage', () => {
    const { events } = story({ severity: 'A' }, T).triage(after(T, 40 * MINUTE));
    expect(clocks(events, defaultPolicy, after(T, 2 * HOUR))).toEqual([
      {
        name: 'initial-response',
        cycle: 0,
        status: 'fulfilled',
        startedAt: new Date(T),
        fulfilledAt: after(T, 40 * MINUTE),
        stoppedAt: null,
        dueAt: after(T, HOUR),
        warningAt: after(T, 45 * MINUTE),
        elapsedMs: 40 * MINUTE,
        remainingMs: 20 * MINUTE,
        targetMs: HOUR,
        target: 'PT1H',
        calendar: '24x7',
      },
    ]);
  });

  it('stays marked breached when fulfilled after its due time', () => {
    const { events } = story({ severity: 'A' }, T).triage(after(T, 90 * MINUTE));
    expect(clockOf(events, after(T, 2 * HOUR))).toMatchObject({
      status: 'breached',
      fulfilledAt: after(T, 90 * MINUTE),
      dueAt: after(T, HOUR),
      remainingMs: -30 * MINUTE,
    });
  });

  it('stays breached when the response comes after the due instant while its calendar is closed', () => {
    // 21Vianet B: one business day = 15 working hours, 09:00-24:00 Shanghai. Opened Friday 09:00
    // Shanghai, it is due at 24:00 (16:00Z); the triage at 00:28 Saturday Shanghai has used
    // exactly the target (the calendar is closed), but it came late.
    const opened = '2026-11-20T01:00:00.000Z';
    const due = '2026-11-20T16:00:00.000Z';
    const { events } = story({ plan: '21vianet', region: 'CN', severity: 'B' }, opened).triage(after(due, 28 * MINUTE));
    expect(clockOf(events, after(due, HOUR))).toMatchObject({ status: 'breached', dueAt: new Date(due), remainingMs: 0, fulfilledAt: after(due, 28 * MINUTE) });
    // At the due instant itself it is on time.
    const onTime = story({ plan: '21vianet', region: 'CN', severity: 'B' }, opened).triage(new Date(due));
    expect(clockOf(onTime.events, after(due, HOUR))).toMatchObject({ status: 'fulfilled', dueAt: new Date(due) });
  });

  it('is breached once it runs out while still running, at its due instant', () => {
    const { events } = story({ severity: 'A' }, T);
    expect(clockOf(events, after(T, 59 * MINUTE))).toMatchObject({ status: 'running', remainingMs: MINUTE });
    expect(clockOf(events, after(T, HOUR))).toMatchObject({ status: 'breached', remainingMs: 0, fulfilledAt: null });
    expect(clockOf(events, after(T, 2 * HOUR))).toMatchObject({ status: 'breached', remainingMs: -HOUR, dueAt: after(T, HOUR) });
  });

  it('warns at 75 % of the target, counted on its calendar', () => {
    expect(iso(clockOf(story({ severity: 'B' }, T).events, T).warningAt)).toBe('2026-11-21T10:00:00.000Z');
    // 11.25 working hours from 20:00 Shanghai: 4 until midnight, 7.25 from 09:00: 16:15 Shanghai.
    const { events } = story({ plan: '21vianet', region: 'CN', severity: 'B' }, SHANGHAI_EVENING);
    expect(iso(clockOf(events, SHANGHAI_EVENING).warningAt)).toBe('2026-11-21T08:15:00.000Z');
  });

  it('has no deadline and no warning without a commitment, but still measures the time', () => {
    const { events } = story({ plan: 'business', severity: 'B' }, T);
    const monday10am = '2026-11-23T15:00:00.000Z';
    // Friday 11:00–17:00 and Monday 09:00–10:00 in New York.
    expect(clockOf(events, monday10am)).toMatchObject({
      status: 'running',
      dueAt: null,
      warningAt: null,
      remainingMs: null,
      targetMs: null,
      target: null,
      elapsedMs: 7 * HOUR,
      calendar: 'region:US',
    });
    const triaged = story({ plan: 'business', severity: 'B' }, T).triage(monday10am).events;
    expect(clockOf(triaged, '2026-12-01T00:00:00Z')).toMatchObject({ status: 'fulfilled', elapsedMs: 7 * HOUR });
  });

  it('stops when the request is closed before triage, or is breached if that was too late', () => {
    const cancelled = story({ severity: 'B' }, T).close(after(T, 2 * HOUR), 'cancelled').events;
    expect(clockOf(cancelled, after(T, 3 * DAY))).toMatchObject({
      status: 'stopped',
      stoppedAt: after(T, 2 * HOUR),
      fulfilledAt: null,
      elapsedMs: 2 * HOUR,
      remainingMs: 22 * HOUR,
      dueAt: after(T, DAY),
    });
    const late = story({ severity: 'A' }, T).close(after(T, 2 * HOUR), 'duplicate').events;
    expect(clockOf(late, after(T, 3 * DAY))).toMatchObject({ status: 'breached', stoppedAt: after(T, 2 * HOUR), fulfilledAt: null });
  });

  it('ignores events after now: the clocks as they were at any instant', () => {
    const { events } = story({ severity: 'A' }, T).triage(after(T, 40 * MINUTE));
    expect(clockOf(events, after(T, 20 * MINUTE))).toMatchObject({ status: 'running', elapsedMs: 20 * MINUTE, fulfilledAt: null });
    expect(clocks(events, defaultPolicy, after(T, -MINUTE))).toEqual([]);
    expect(clocks([], defaultPolicy, new Date(T))).toEqual([]);
  });
});

describe('reopen cycles', () => {
  it('start a new response cycle with the same targets', () => {
    const reopened = story({ severity: 'A' }, T)
      .triage(after(T, 30 * MINUTE))
      .resolve(after(T, 3 * HOUR))
      .reopen(after(T, 5 * HOUR));
    const now = after(T, 5 * HOUR + 20 * MINUTE);
    expect(clocks(reopened.events, defaultPolicy, now).map((c) => [c.cycle, c.status, iso(c.startedAt), iso(c.dueAt), c.elapsedMs])).toEqual([
      [0, 'fulfilled', T, iso(after(T, HOUR)), 30 * MINUTE],
      [1, 'running', iso(after(T, 5 * HOUR)), iso(after(T, 6 * HOUR)), 20 * MINUTE],
    ]);

    const { events } = reopened
      .triage(after(T, 5 * HOUR + 50 * MINUTE))
      .resolve(after(T, DAY))
      .close(after(T, DAY + HOUR), 'confirmed')
      .reopen(after(T, 3 * DAY));
    expect(clocks(events, defaultPolicy, after(T, 3 * DAY + 2 * HOUR)).map((c) => [c.cycle, c.status])).toEqual([
      [0, 'fulfilled'],
      [1, 'fulfilled'],
      [2, 'breached'],
    ]);
  });

  it('runs a clock at most once per cycle, from the first of its start events', () => {
    const triageToResolve: SlaPolicy = {
      ...defaultPolicy,
      clocks: [{ ...RESOLUTION_CLOCK, name: 'triage-to-resolve', startedBy: ['TicketTriaged', 'CustomerReplied'] }],
    };
    const { events } = story({ severity: 'B' }, T)
      .triage(after(T, HOUR))
      .requestInfo(after(T, 90 * MINUTE))
      .customerReply(after(T, 2 * HOUR))
      .resolve(after(T, 3 * HOUR))
      .reopen(after(T, 4 * HOUR))
      .triage(after(T, 6 * HOUR));
    expect(clocks(events, triageToResolve, after(T, 7 * HOUR)).map((c) => [c.cycle, c.status, iso(c.startedAt), c.elapsedMs])).toEqual([
      [0, 'fulfilled', iso(after(T, HOUR)), 90 * MINUTE],
      [1, 'running', iso(after(T, 6 * HOUR)), HOUR],
    ]);
  });
});

describe('a severity change', () => {
  it('recomputes the due time from the new target and keeps the time already spent', () => {
    const { events } = story({ plan: 'elevated', severity: 'C' }, T).changeSeverity(after(T, HOUR), 'B');
    expect(clockOf(events, after(T, 90 * MINUTE))).toMatchObject({
      status: 'running',
      target: 'PT2H',
      elapsedMs: 90 * MINUTE,
      remainingMs: 30 * MINUTE,
      dueAt: after(T, 2 * HOUR),
      warningAt: after(T, 90 * MINUTE),
    });
  });

  it('can leave the clock already past its new, shorter target', () => {
    const { events } = story({ severity: 'B' }, T).changeSeverity(after(T, 3 * HOUR), 'A');
    expect(clockOf(events, after(T, 3 * HOUR))).toMatchObject({
      status: 'breached',
      target: 'PT1H',
      elapsedMs: 3 * HOUR,
      remainingMs: -2 * HOUR,
      dueAt: after(T, HOUR),
      warningAt: after(T, 45 * MINUTE),
    });
  });

  it('keeps working time counted on the old calendar when the new target counts on another', () => {
    // 21Vianet B (09:00–24:00 Shanghai) opened 20:00, raised to A (24x7) at 23:00: 3 hours spent.
    const { events } = story({ plan: '21vianet', region: 'CN', advancedAgreement: true, severity: 'B' }, SHANGHAI_EVENING).changeSeverity(
      after(SHANGHAI_EVENING, 3 * HOUR),
      'A',
    );
    expect(clockOf(events, after(SHANGHAI_EVENING, 3 * HOUR))).toMatchObject({
      status: 'breached',
      calendar: '24x7',
      elapsedMs: 3 * HOUR,
      remainingMs: -2 * HOUR,
      dueAt: after(SHANGHAI_EVENING, HOUR),
    });
  });

  it('at triage does not change the target the first response is judged by', () => {
    const { events } = story({ plan: 'elevated', severity: 'C' }, T).triage(after(T, 3 * HOUR), { severity: 'A' });
    expect(clockOf(events, after(T, 3 * HOUR))).toMatchObject({ status: 'fulfilled', target: 'PT4H', remainingMs: HOUR });
  });
});

describe('pausing (a resolution clock, which outlives triage)', () => {
  const opened = () => story({ severity: 'B' }, T).triage(after(T, HOUR)).requestInfo(after(T, 2 * HOUR));

  it('pauses while awaiting the customer and resumes when the customer replies', () => {
    const awaiting = opened().events;
    expect(resolutionClock(awaiting, after(T, 3 * HOUR))).toMatchObject({
      status: 'paused',
      elapsedMs: 2 * HOUR,
      remainingMs: 6 * HOUR,
      // Projected: due 6 hours after now, if the customer replied now.
      dueAt: after(T, 9 * HOUR),
    });
    const replied = opened().customerReply(after(T, 5 * HOUR)).events;
    expect(resolutionClock(replied, after(T, 6 * HOUR))).toMatchObject({
      status: 'running',
      elapsedMs: 3 * HOUR,
      remainingMs: 5 * HOUR,
      dueAt: after(T, 11 * HOUR),
    });
    expect(clockOf(replied, after(T, 6 * HOUR), 'initial-response', 0, resolutionPolicy)).toMatchObject({ status: 'fulfilled' });
  });

  it('stays paused when downgraded (the customer did not respond), under the lower severity', () => {
    const downgraded = story({ severity: 'A' }, T)
      .triage(after(T, 10 * MINUTE))
      .requestInfo(after(T, HOUR))
      .downgrade(after(T, DAY));
    expect(resolutionClock(downgraded.events, after(T, DAY + HOUR))).toMatchObject({ status: 'paused', target: 'PT8H', elapsedMs: HOUR });
    const { events } = downgraded.customerReply(after(T, 2 * DAY));
    expect(resolutionClock(events, after(T, 2 * DAY + HOUR))).toMatchObject({
      status: 'running',
      elapsedMs: 2 * HOUR,
      remainingMs: 6 * HOUR,
      dueAt: after(T, 2 * DAY + 7 * HOUR),
    });
  });

  it('moves to the new calendar when triage changes the category, keeping the time spent', () => {
    // Two hours on the wall clock as a technical request, then billing: 2 business days of New York hours.
    const { events } = story({ severity: 'B' }, T).triage(after(T, 2 * HOUR), { category: 'billing' });
    const monday10am = '2026-11-23T15:00:00.000Z';
    expect(resolutionClock(events, monday10am)).toMatchObject({
      status: 'running',
      calendar: 'region:US',
      target: 'PT16H',
      // 2 h, then Friday 13:00–17:00 and Monday 09:00–10:00 in New York.
      elapsedMs: 7 * HOUR,
      remainingMs: 9 * HOUR,
      dueAt: new Date('2026-11-24T16:00:00.000Z'),
    });
  });

  it('ends at resolve even while paused', () => {
    const { events } = opened().resolve(after(T, 4 * HOUR));
    expect(resolutionClock(events, after(T, 5 * HOUR))).toMatchObject({ status: 'fulfilled', elapsedMs: 2 * HOUR, fulfilledAt: after(T, 4 * HOUR) });
  });
});
