/**
 * Properties of between and add over random calendars in zones with every kind of transition,
 * and agreement with a reference model built from luxon's offsets alone (no transition table,
 * no skipping of weeks): the working intervals of each local date, one by one.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { compileCalendar } from '../src/calendar.js';
import type { BusinessCalendar, CalendarSpec } from '../src/calendar.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Shanghai',
  'UTC',
  // Half an hour of daylight saving.
  'Australia/Lord_Howe',
  // Clocks change at midnight: 2026-04-05 00:00 goes back to Saturday 23:00, 2026-09-06 00:00 jumps to 01:00.
  'America/Santiago',
  'Asia/Kolkata',
];

/** Days of 2026 on which some zone above changes its clocks, and two ordinary ones. */
const ANCHORS = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-06-15', '2026-09-06', '2026-10-04', '2026-10-25', '2026-11-01', '2026-12-24'].map((day) =>
  Date.parse(`${day}T00:00Z`),
);

// ---- the reference model -----------------------------------------------------------------

const offsetAt = (zone: string, instant: number): number => DateTime.fromMillis(instant, { zone }).offset * MINUTE;

/** The first instant whose wall clock shows `wall` or later. */
function firstShowing(zone: string, wall: number): number {
  const offsets = [offsetAt(zone, wall - DAY), offsetAt(zone, wall + DAY)];
  const showing = offsets.map((offset) => wall - offset).filter((instant) => instant + offsetAt(zone, instant) === wall);
  if (showing.length > 0) return Math.min(...showing);
  // Skipped by a jump forward: the first minute after the jump (every offset here is whole minutes).
  let instant = wall - Math.max(...offsets);
  while (instant + offsetAt(zone, instant) < wall) instant += MINUTE;
  return instant;
}

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** The working intervals of every local date from the day before `from`'s to the day after `to`'s. */
function referenceIntervals(spec: CalendarSpec, from: number, to: number): [number, number][] {
  const dateOf = (instant: number): number => Date.parse(`${DateTime.fromMillis(instant, { zone: spec.zone }).toISODate()}T00:00Z`);
  const intervals: [number, number][] = [];
  for (let midnight = dateOf(from) - DAY; midnight <= dateOf(to) + DAY; midnight += DAY) {
    const date = new Date(midnight).toISOString().slice(0, 10);
    const weekday = WEEKDAYS[(new Date(midnight).getUTCDay() + 6) % 7] ?? 'mon';
    const hours = spec.overrides?.[date] ?? (spec.holidays?.includes(date) ? [] : spec.hours[weekday]);
    for (const [start, end] of hours) {
      const interval: [number, number] = [firstShowing(spec.zone, midnight + minutesOf(start) * MINUTE), firstShowing(spec.zone, midnight + minutesOf(end) * MINUTE)];
      if (interval[1] > interval[0]) intervals.push(interval);
    }
  }
  return intervals;
}

function referenceBetween(spec: CalendarSpec, from: number, to: number): number {
  if (to <= from) return 0;
  return referenceIntervals(spec, from, to).reduce((total, [start, end]) => total + Math.max(0, Math.min(end, to) - Math.max(start, from)), 0);
}

// ---- arbitraries -------------------------------------------------------------------------

const clockTime = (quarters: number): string =>
  `${String(Math.floor(quarters / 4)).padStart(2, '0')}:${String((quarters % 4) * 15).padStart(2, '0')}`;

/** Up to three intervals on a quarter-hour grid, so that boundaries land in skipped and repeated hours. */
const dayHoursArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 96 }), { maxLength: 6 })
  .map((points) => {
    const sorted = [...points].sort((x, y) => x - y);
    const hours: [string, string][] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) hours.push([clockTime(sorted[i] ?? 0), clockTime(sorted[i + 1] ?? 0)]);
    return hours;
  });

const dateNearAnchorsArb = fc
  .tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -10, max: 10 }))
  .map(([anchor, days]) => new Date(anchor + days * DAY).toISOString().slice(0, 10));

const specArb: fc.Arbitrary<CalendarSpec> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    hours: fc.record({ mon: dayHoursArb, tue: dayHoursArb, wed: dayHoursArb, thu: dayHoursArb, fri: dayHoursArb, sat: dayHoursArb, sun: dayHoursArb }),
    holidays: fc.uniqueArray(dateNearAnchorsArb, { maxLength: 4 }),
    overrides: fc.dictionary(dateNearAnchorsArb, dayHoursArb, { maxKeys: 3 }),
  })
  .filter((spec) => WEEKDAYS.some((day) => spec.hours[day].length > 0));

/** Instants within three days of a transition (or an ordinary day), to the minute or to the millisecond. */
const instantArb = fc
  .tuple(fc.constantFrom(...ANCHORS), fc.oneof(fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }).map((minutes) => minutes * MINUTE), fc.integer({ min: -3 * DAY, max: 3 * DAY })))
  .map(([anchor, offset]) => anchor + offset);

/** A span of up to three weeks, to the minute. */
const spanArb = fc.integer({ min: 0, max: 21 * 24 * 60 }).map((minutes) => minutes * MINUTE);

const calendarArb = specArb.map((spec) => ({ spec, calendar: compileCalendar(spec) }));

const between = (calendar: BusinessCalendar, from: number, to: number): number => calendar.between(new Date(from), new Date(to));
const add = (calendar: BusinessCalendar, from: number, ms: number): number => calendar.add(new Date(from), ms).getTime();

// ---- properties --------------------------------------------------------------------------

describe('agreement with the reference model', () => {
  it('between counts what the reference counts', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, spanArb, ({ spec, calendar }, from, span) => {
        expect(between(calendar, from, from + span)).toBe(referenceBetween(spec, from, from + span));
      }),
      { numRuns: 300 },
    );
  });

  it('add gives the earliest instant by which the reference has counted the duration', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.double({ min: 0, max: 1, noNaN: true }), ({ spec, calendar }, from, share) => {
        // Durations up to what three weeks from `from` hold, so that the deadline is at most three weeks on.
        const duration = Math.round(share * between(calendar, from, from + 21 * DAY));
        const deadline = add(calendar, from, duration);
        expect(referenceBetween(spec, from, deadline)).toBe(duration);
        if (duration > 0) expect(referenceBetween(spec, from, deadline - 1)).toBeLessThan(duration);
        else expect(deadline).toBe(from);
      }),
      { numRuns: 300 },
    );
  });

  it('far spans, crossed a week at a time, count what the reference counts day by day', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 0, max: 3 * 365 }), ({ spec, calendar }, from, days) => {
        expect(between(calendar, from, from + days * DAY)).toBe(referenceBetween(spec, from, from + days * DAY));
      }),
      { numRuns: 20 },
    );
  });
});

describe('between and add', () => {
  it('add(a, between(a, b)) <= b, with equality when b is in working time or at the end of an interval', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, spanArb, ({ calendar }, from, span) => {
        const to = from + span;
        const worked = between(calendar, from, to);
        const deadline = add(calendar, from, worked);
        expect(deadline).toBeLessThanOrEqual(to);
        // Nothing is worked after the deadline up to b...
        expect(between(calendar, deadline, to)).toBe(0);
        // ...so it is b itself whenever the last millisecond before b was worked.
        if (worked > 0 && between(calendar, to - 1, to) === 1) expect(deadline).toBe(to);
      }),
      { numRuns: 300 },
    );
  });

  it('between(a, add(a, d)) = d', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 0, max: 200 * HOUR }), ({ calendar }, from, duration) => {
        expect(between(calendar, from, add(calendar, from, duration))).toBe(duration);
      }),
    );
  });

  it('between is additive: between(a, b) + between(b, c) = between(a, c)', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, spanArb, spanArb, ({ calendar }, a, ab, bc) => {
        expect(between(calendar, a, a + ab) + between(calendar, a + ab, a + ab + bc)).toBe(between(calendar, a, a + ab + bc));
      }),
    );
  });

  it('between grows with its end and shrinks with its start', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, spanArb, spanArb, ({ calendar }, from, span, more) => {
        expect(between(calendar, from, from + span + more)).toBeGreaterThanOrEqual(between(calendar, from, from + span));
        expect(between(calendar, from + more, from + span + more)).toBeLessThanOrEqual(between(calendar, from, from + span + more));
      }),
    );
  });

  it('add grows with its start and with the duration', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, spanArb, fc.integer({ min: 0, max: 100 * HOUR }), fc.integer({ min: 0, max: 100 * HOUR }), ({ calendar }, from, later, duration, more) => {
        expect(add(calendar, from + later, duration)).toBeGreaterThanOrEqual(add(calendar, from, duration));
        expect(add(calendar, from, duration + more)).toBeGreaterThanOrEqual(add(calendar, from, duration));
      }),
    );
  });

  it('a calendar open 00:00–24:00 every day counts the wall clock: every start day around every transition, spans of one to three weeks', () => {
    // Crossing whole weeks at once must stop short of each transition exactly, whichever day it
    // falls on and whether it comes at 02:00 or at midnight: a sweep leaves no start out.
    const allDay = Object.fromEntries(WEEKDAYS.map((day) => [day, [['00:00', '24:00']]]));
    const wrong: string[] = [];
    for (const zone of ZONES) {
      const calendar = compileCalendar({ zone, hours: allDay });
      for (const anchor of ANCHORS) {
        // Every 5 hours: every start day, and over the days every hour of the day.
        for (let from = anchor - 22 * DAY; from <= anchor + DAY; from += 5 * HOUR) {
          for (const span of [7 * DAY, 14 * DAY + 30 * MINUTE, 21 * DAY]) {
            const [counted, deadline] = [between(calendar, from, from + span), add(calendar, from, span)];
            if (counted !== span || deadline !== from + span) wrong.push(`${zone} from ${new Date(from).toISOString()} for ${span} ms: ${counted} ms, due ${new Date(deadline).toISOString()}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a calendar open 00:00–24:00 every day counts the wall clock, whatever its zone does', () => {
    const allDay = Object.fromEntries(WEEKDAYS.map((day) => [day, [['00:00', '24:00']]]));
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instantArb, spanArb, (zone, from, span) => {
        const calendar = compileCalendar({ zone, hours: allDay });
        expect(between(calendar, from, from + span)).toBe(span);
        expect(add(calendar, from, span)).toBe(from + span);
      }),
    );
  });
});
