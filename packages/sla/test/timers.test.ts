import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { NextTimer } from '../src/clocks.js';
import { nextTimerAt } from '../src/clocks.js';
import { defaultPolicy } from '../src/default-policy.js';
import type { Story } from './story.js';
import { DAY, HOUR, MINUTE, actors, after, story, withResolutionClock } from './story.js';
import { ticketArb } from './arbitraries.js';

/** A Friday, 11:00 in New York (EST). */
const T = '2026-11-20T16:00:00.000Z';

const next = (s: Story, policy = defaultPolicy) => nextTimerAt(s.events, policy);
const timer = (at: Date | string, reason: NextTimer['reason'], clock?: string, cycle = 0) => ({
  at: new Date(at),
  reason,
  ...(clock === undefined ? {} : { clock }),
  cycle,
});

describe('warning and breach', () => {
  it('come one after the other as the worker records each escalation', () => {
    const s = story({ severity: 'A' }, T);
    expect(next(s)).toEqual(timer(after(T, 45 * MINUTE), 'warning', 'initial-response'));
    s.escalate(after(T, 45 * MINUTE), 1, 'initial-response');
    expect(next(s)).toEqual(timer(after(T, HOUR), 'breach', 'initial-response'));
    s.escalate(after(T, HOUR), 2, 'initial-response');
    expect(next(s)).toBeUndefined();
  });

  it('are not due once the clock is fulfilled', () => {
    expect(next(story({ severity: 'A' }, T).triage(after(T, 10 * MINUTE)))).toBeUndefined();
  });

  it('count an escalation that names no clock for every clock', () => {
    const s = story({ severity: 'A' }, T).escalate(after(T, 5 * MINUTE), 1);
    expect(next(s)).toEqual(timer(after(T, HOUR), 'breach', 'initial-response'));
  });

  it('stay due when the worker is late: the instant is then in the past', () => {
    const s = story({ severity: 'A' }, T).note(after(T, 3 * HOUR));
    expect(next(s)).toEqual(timer(after(T, 45 * MINUTE), 'warning', 'initial-response'));
  });

  it('are never set without a commitment', () => {
    expect(next(story({ plan: 'business', severity: 'B' }, T))).toBeUndefined();
    expect(next(story({ plan: 'enterprise', severity: 'C' }, T))).toBeUndefined();
    expect(next(story({ category: 'billing', severity: 'B' }, T))).toBeUndefined();
  });

  it('start again in a new cycle after a reopen', () => {
    const s = story({ severity: 'A' }, T)
      .escalate(after(T, 45 * MINUTE), 1, 'initial-response')
      .triage(after(T, 50 * MINUTE))
      .resolve(after(T, 2 * HOUR))
      .reopen(after(T, 3 * HOUR));
    expect(next(s)).toEqual(timer(after(T, 3 * HOUR + 45 * MINUTE), 'warning', 'initial-response', 1));
  });

  it('follow a severity change', () => {
    const s = story({ plan: 'elevated', severity: 'C' }, T).changeSeverity(after(T, HOUR), 'A');
    // Already an hour spent: the warning (45 min) and the breach (1 h) are both behind.
    expect(next(s)).toEqual(timer(after(T, 45 * MINUTE), 'warning', 'initial-response'));
  });
});

describe('with more than one clock', () => {
  const policy = withResolutionClock(defaultPolicy);

  it('gives the earliest timer of any clock', () => {
    const s = story({ severity: 'A' }, T).triage(after(T, 10 * MINUTE));
    expect(next(s, policy)).toEqual(timer(after(T, 3 * HOUR), 'warning', 'resolution'));
  });

  it('gives no timer to a paused clock, except for what it reached before it paused', () => {
    const waiting = story({ severity: 'A' }, T).triage(after(T, 10 * MINUTE)).requestInfo(after(T, 2 * HOUR));
    // Requested Friday 13:00 New York: two business days later is Tuesday 13:00.
    expect(next(waiting, policy)).toEqual(timer('2026-11-24T18:00:00.000Z', 'collaboration-window'));
    const late = story({ severity: 'A' }, T).triage(after(T, 10 * MINUTE)).requestInfo(after(T, 3 * HOUR + 30 * MINUTE));
    expect(next(late, policy)).toEqual(timer(after(T, 3 * HOUR), 'warning', 'resolution'));
  });

  it("keeps each clock's escalations apart: one clock's warning does not use up another's", () => {
    const s = story({ severity: 'A' }, T)
      .escalate(after(T, 45 * MINUTE), 1, 'initial-response')
      .triage(after(T, 50 * MINUTE));
    expect(next(s, policy)).toEqual(timer(after(T, 3 * HOUR), 'warning', 'resolution'));
    // The domain accepts that warning, although the ticket as a whole is already at level 1.
    s.escalate(after(T, 3 * HOUR), 1, 'resolution');
    expect(next(s, policy)).toEqual(timer(after(T, 4 * HOUR), 'breach', 'resolution'));
  });
});

describe('the collaboration window', () => {
  const waitingSince = (at: string, fields = {}) =>
    story({ severity: 'B', ...fields }, after(at, -2 * HOUR))
      .triage(after(at, -HOUR))
      .requestInfo(at);

  it("runs 2 business days of the region's hours from the request for information", () => {
    // Friday 11:00–17:00, Monday 09:00–17:00 and Tuesday 09:00–11:00 in New York.
    expect(next(waitingSince(T))).toEqual(timer('2026-11-24T16:00:00.000Z', 'collaboration-window'));
    // Saturday 10:00 in Sydney: Monday and Tuesday, 09:00–18:00.
    expect(next(waitingSince('2026-11-20T23:00:00.000Z', { region: 'AU' }))).toEqual(timer('2026-11-24T07:00:00.000Z', 'collaboration-window'));
  });

  it('ends with the downgrade, and starts again at the next request for information', () => {
    const s = waitingSince(T).downgrade('2026-11-24T16:00:00.000Z');
    expect(next(s)).toBeUndefined();
    s.customerReply('2026-11-25T14:00:00.000Z');
    expect(next(s)).toBeUndefined();
    s.changeSeverity('2026-11-25T14:30:00.000Z', 'B').requestInfo('2026-11-25T15:00:00.000Z');
    // Wednesday 10:00–17:00, Thursday (Thanksgiving is not a holiday here) 09:00–17:00, Friday 09:00–10:00.
    expect(next(s)).toEqual(timer('2026-11-27T15:00:00.000Z', 'collaboration-window'));
  });

  it('is not set at the lowest severity, which cannot be downgraded', () => {
    expect(next(waitingSince(T, { severity: 'C' }))).toBeUndefined();
  });
});

describe('auto-close', () => {
  it('comes the quiet period after the resolve, and not after the close', () => {
    const s = story({ severity: 'B' }, T).triage(after(T, HOUR)).resolve(after(T, 2 * HOUR));
    expect(next(s)).toEqual(timer(after(T, 2 * HOUR + 7 * DAY), 'auto-close'));
    s.run({ type: 'close' }, after(T, 2 * HOUR + 7 * DAY), actors.service);
    expect(next(s)).toBeUndefined();
  });
});

describe('an SLA worker that acts on every timer', () => {
  const commandFor = (due: NextTimer) => {
    switch (due.reason) {
      case 'warning':
        return { type: 'escalate', level: 1, clock: due.clock } as const;
      case 'breach':
        return { type: 'escalate', level: 2, clock: due.clock } as const;
      case 'collaboration-window':
        return { type: 'downgrade', reason: 'no customer response within the collaboration window' } as const;
      case 'auto-close':
        return { type: 'close' } as const;
    }
  };

  it('is never refused by the domain, and runs out of timers', () => {
    fc.assert(
      fc.property(ticketArb, fc.boolean(), ({ story: s }, withResolution) => {
        const policy = withResolution ? withResolutionClock(defaultPolicy) : defaultPolicy;
        const seen: string[] = [];
        for (let due = nextTimerAt(s.events, policy); due !== undefined; due = nextTimerAt(s.events, policy)) {
          const key = JSON.stringify(due);
          expect(seen).not.toContain(key);
          seen.push(key);
          const last = s.lastEventAt ?? due.at;
          const at = due.at > last ? due.at : last;
          expect(s.attempt(commandFor(due), at, actors.service)).toBeUndefined();
        }
        // At most: a warning and a breach (the ticket's escalation levels), a downgrade, a close.
        expect(seen.length).toBeLessThanOrEqual(4);
      }),
    );
  });
});
