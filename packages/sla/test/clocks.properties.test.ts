/**
 * Properties of clocks over random realistic histories, under the default policy and under one
 * with a resolution clock (which pauses, and lives through downgrades and category changes).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { SlaClock } from '../src/clocks.js';
import { clocks, nextTimerAt } from '../src/clocks.js';
import { defaultPolicy } from '../src/default-policy.js';
import { dueFor } from '../src/due.js';
import { calendarFor } from '../src/targets.js';
import { delayArb, openFieldsArb, openedAtArb, ticketArb } from './arbitraries.js';
import { Story, withResolutionClock } from './story.js';

const policyArb = fc.constantFrom(defaultPolicy, withResolutionClock(defaultPolicy));
/** An instant during or after the history: up to a few weeks after its last step. */
const nowArb = (until: Date) => delayArb.map((delay) => new Date(until.getTime() + delay));

const key = (clock: SlaClock) => `${clock.name}#${clock.cycle}`;

describe('clocks, for any history', () => {
  it('are deterministic: the same history, policy and instant give the same clocks', () => {
    fc.assert(
      fc.property(ticketArb, policyArb, ({ story, until }, policy) => {
        expect(clocks(structuredClone(story.events), policy, new Date(until))).toEqual(clocks(story.events, policy, until));
        expect(nextTimerAt(structuredClone(story.events), policy)).toEqual(nextTimerAt(story.events, policy));
      }),
    );
  });

  it('never lose elapsed time as now advances', () => {
    fc.assert(
      fc.property(ticketArb, policyArb, fc.integer({ min: 0, max: 100 }), delayArb, ({ story, openedAt, until }, policy, percent, delay) => {
        const earlier = new Date(openedAt.getTime() + ((until.getTime() - openedAt.getTime()) * percent) / 100);
        const later = new Date(earlier.getTime() + delay);
        const laterClocks = new Map(clocks(story.events, policy, later).map((clock) => [key(clock), clock]));
        for (const clock of clocks(story.events, policy, earlier)) {
          expect(laterClocks.get(key(clock))?.elapsedMs).toBeGreaterThanOrEqual(clock.elapsedMs);
        }
      }),
    );
  });

  it('while running with a commitment: elapsed + remaining = target, and the remaining time is the working time until due', () => {
    fc.assert(
      fc.property(
        ticketArb.chain((ticket) => fc.tuple(fc.constant(ticket), nowArb(ticket.until))),
        policyArb,
        ([{ story }, now], policy) => {
          const region = ticketRegion(story);
          for (const clock of clocks(story.events, policy, now)) {
            if (clock.status !== 'running' || clock.targetMs === null || clock.dueAt === null || clock.remainingMs === null) continue;
            expect(clock.elapsedMs + clock.remainingMs).toBe(clock.targetMs);
            const { calendar } = calendarFor(policy, clock.calendar, region);
            expect(calendar.between(now, clock.dueAt)).toBe(clock.remainingMs);
          }
        },
      ),
    );
  });

  it('warn before they are due, and are due after they start', () => {
    fc.assert(
      fc.property(ticketArb, policyArb, ({ story, until }, policy) => {
        for (const clock of clocks(story.events, policy, until)) {
          if (clock.dueAt === null || clock.warningAt === null) continue;
          expect(clock.warningAt.getTime()).toBeLessThanOrEqual(clock.dueAt.getTime());
          expect(clock.dueAt.getTime()).toBeGreaterThan(clock.startedAt.getTime());
        }
      }),
    );
  });

  it('as of an instant are the clocks of the history up to that instant', () => {
    fc.assert(
      fc.property(ticketArb, policyArb, fc.integer({ min: 0, max: 100 }), ({ story, openedAt, until }, policy, percent) => {
        const instant = new Date(openedAt.getTime() + Math.round(((until.getTime() - openedAt.getTime()) * percent) / 100));
        const upTo = story.events.filter((event) => Date.parse(event.occurredAt) <= instant.getTime());
        expect(clocks(story.events, policy, instant)).toEqual(clocks(upTo, policy, instant));
      }),
    );
  });

  it('set warning and breach timers at the warning and due instants of their clock', () => {
    fc.assert(
      fc.property(ticketArb, policyArb, ({ story }, policy) => {
        const due = nextTimerAt(story.events, policy);
        if (due === undefined || (due.reason !== 'warning' && due.reason !== 'breach')) return;
        const clock = clocks(story.events, policy, story.lastEventAt ?? due.at).find((c) => c.name === due.clock && c.cycle === due.cycle);
        expect(due.at).toEqual(due.reason === 'warning' ? clock?.warningAt : clock?.dueAt);
      }),
    );
  });
});

describe('dueFor', () => {
  it('agrees with the first clock of a ticket opened then', () => {
    fc.assert(
      fc.property(openFieldsArb, openedAtArb, (fields, openedAt) => {
        const answer = dueFor({ ...fields, opened: openedAt }, defaultPolicy);
        const [clock] = clocks(new Story().open(fields, openedAt).events, defaultPolicy, openedAt);
        expect(answer).toEqual({ ok: true, clock: clock?.name, dueAt: clock?.dueAt, target: clock?.target, calendar: clock?.calendar, policy: 'm365-default@1' });
      }),
    );
  });
});

function ticketRegion(story: Story): string {
  const opened = story.events[0];
  if (opened?.type !== 'TicketOpened') throw new Error('the history does not start with TicketOpened');
  return opened.data.region;
}
