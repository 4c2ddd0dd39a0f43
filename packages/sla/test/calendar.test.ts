import { describe, expect, it } from '@jest/globals';
import { ALWAYS_OPEN, compileCalendar } from '../src/calendar.js';
import type { CalendarSpec } from '../src/calendar.js';
import { ISSUE_CALENDAR } from './calendars.js';

type Hours = [string, string][];
const HOUR = 3_600_000;
const MINUTE = 60_000;

const week = (weekdays: Hours, weekend: Hours = []): CalendarSpec['hours'] => ({
  mon: weekdays,
  tue: weekdays,
  wed: weekdays,
  thu: weekdays,
  fri: weekdays,
  sat: weekend,
  sun: weekend,
});
const everyDay = (hours: Hours): CalendarSpec['hours'] => week(hours, hours);
/** Only Sundays, where the DST transitions of all three zones below fall. */
const sundays = (hours: Hours): CalendarSpec['hours'] => ({ ...week([]), sun: hours });

/** Instants are written with their offset, so that each expectation says which side of a transition it means. */
const at = (iso: string): Date => new Date(iso);

describe('the examples of the issue', () => {
  it('21Vianet, 09:00–24:00 every day: 15 working hours from Friday 20:00 are due Saturday 20:00', () => {
    const vianet = compileCalendar({ zone: 'Asia/Shanghai', hours: everyDay([['09:00', '24:00']]) });
    expect(vianet.add(at('2026-05-15T20:00+08:00'), 15 * HOUR)).toEqual(at('2026-05-16T20:00+08:00'));
    expect(vianet.businessDayMs).toBe(15 * HOUR);
  });

  it('New York, Monday–Friday 09:00–17:00: 8 working hours from Friday 16:00 are due Monday 16:00', () => {
    const newYork = compileCalendar({ zone: 'America/New_York', hours: week([['09:00', '17:00']]) });
    expect(newYork.add(at('2026-05-15T16:00-04:00'), 8 * HOUR)).toEqual(at('2026-05-18T16:00-04:00'));
  });

  it("the issue's own calendar: a split Tuesday, a closed Wednesday, a Thursday to midnight and two holidays", () => {
    const berlin = compileCalendar(ISSUE_CALENDAR);
    // Monday 8 + Tuesday 7 + Thursday 15 + Friday 8.
    expect(berlin.between(at('2026-06-01T00:00+02:00'), at('2026-06-08T00:00+02:00'))).toBe(38 * HOUR);
    // Christmas Day is a Friday: from Thursday 23:00 the next working hour is Monday's first.
    expect(berlin.add(at('2026-12-24T23:00+01:00'), 2 * HOUR)).toEqual(at('2026-12-28T10:00+01:00'));
    // Four weekdays of 8, 7, 15 and 8 hours: 8 is the most common.
    expect(berlin.businessDayMs).toBe(8 * HOUR);
  });
});

describe('a working day', () => {
  const berlin = compileCalendar({
    zone: 'Europe/Berlin',
    hours: week([
      ['09:00', '12:00'],
      ['13:00', '17:00'],
    ]),
  });

  it('leaves out the lunch break', () => {
    expect(berlin.between(at('2026-06-02T10:00+02:00'), at('2026-06-02T14:00+02:00'))).toBe(3 * HOUR);
    expect(berlin.add(at('2026-06-02T11:00+02:00'), 2 * HOUR)).toEqual(at('2026-06-02T14:00+02:00'));
  });

  it('has a deadline that runs out exactly at closing time at closing time, not the next morning', () => {
    expect(berlin.add(at('2026-06-02T09:00+02:00'), 7 * HOUR)).toEqual(at('2026-06-02T17:00+02:00'));
    // And at the start of the lunch break, not at its end.
    expect(berlin.add(at('2026-06-02T09:00+02:00'), 3 * HOUR)).toEqual(at('2026-06-02T12:00+02:00'));
    expect(berlin.add(at('2026-06-02T09:00+02:00'), 7 * HOUR + 1)).toEqual(new Date(at('2026-06-03T09:00+02:00').getTime() + 1));
  });

  it('starts counting at opening time when asked before it, and on Monday when asked at the weekend', () => {
    expect(berlin.add(at('2026-06-02T06:00+02:00'), 30 * MINUTE)).toEqual(at('2026-06-02T09:30+02:00'));
    expect(berlin.add(at('2026-06-06T12:00+02:00'), 30 * MINUTE)).toEqual(at('2026-06-08T09:30+02:00'));
  });

  it('returns the start itself for no time at all, even outside working hours', () => {
    const saturday = at('2026-06-06T12:00+02:00');
    expect(berlin.add(saturday, 0)).toEqual(saturday);
  });

  it('counts nothing backwards or on the spot', () => {
    expect(berlin.between(at('2026-06-02T14:00+02:00'), at('2026-06-02T10:00+02:00'))).toBe(0);
    expect(berlin.between(at('2026-06-02T10:00+02:00'), at('2026-06-02T10:00+02:00'))).toBe(0);
  });

  it('rounds a fraction of a millisecond up, so that a deadline is never early', () => {
    expect(berlin.add(at('2026-06-02T10:00+02:00'), 0.25)).toEqual(new Date(at('2026-06-02T10:00+02:00').getTime() + 1));
  });

  it('refuses negative or non-finite durations and invalid instants', () => {
    const monday = at('2026-06-01T10:00+02:00');
    expect(() => berlin.add(monday, -1)).toThrow(RangeError);
    expect(() => berlin.add(monday, Number.NaN)).toThrow(RangeError);
    expect(() => berlin.add(monday, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => berlin.add(new Date(Number.NaN), HOUR)).toThrow(RangeError);
    expect(() => berlin.between(monday, new Date(Number.NaN))).toThrow(RangeError);
    expect(() => berlin.add(at('9999-12-31T12:00Z'), 7 * 24 * HOUR)).toThrow('after 9999-12-31');
  });
});

describe('"24:00"', () => {
  const lateThursdays = compileCalendar({ zone: 'Europe/Berlin', hours: { ...week([['09:00', '17:00']]), thu: [['09:00', '24:00']] } });

  it('ends the day at the next local midnight', () => {
    expect(lateThursdays.between(at('2026-06-04T00:00+02:00'), at('2026-06-05T00:00+02:00'))).toBe(15 * HOUR);
  });

  it('is a closing time like any other: a deadline running out there is due at midnight', () => {
    expect(lateThursdays.add(at('2026-06-04T23:00+02:00'), HOUR)).toEqual(at('2026-06-05T00:00+02:00'));
    expect(lateThursdays.add(at('2026-06-04T23:00+02:00'), HOUR + MINUTE)).toEqual(at('2026-06-05T09:01+02:00'));
  });
});

describe('holidays and overrides', () => {
  const newYork: CalendarSpec = {
    zone: 'America/New_York',
    hours: week([['09:00', '17:00']]),
    holidays: ['2026-12-25', '2027-01-01'],
    overrides: {
      // Christmas Eve, shortened.
      '2026-12-24': [['09:00', '12:00']],
      // A Saturday worked for the year-end close.
      '2026-12-26': [['10:00', '14:00']],
      // A Tuesday closed for the office party.
      '2026-12-29': [],
    },
  };
  const calendar = compileCalendar(newYork);

  it('a holiday has no working time', () => {
    expect(calendar.between(at('2026-12-25T00:00-05:00'), at('2026-12-26T00:00-05:00'))).toBe(0);
    expect(calendar.add(at('2026-12-31T16:00-05:00'), 2 * HOUR)).toEqual(at('2027-01-04T10:00-05:00'));
  });

  it("an override replaces the day's hours: shorter, on a day off, or none at all", () => {
    expect(calendar.between(at('2026-12-24T00:00-05:00'), at('2026-12-25T00:00-05:00'))).toBe(3 * HOUR);
    expect(calendar.add(at('2026-12-24T11:00-05:00'), 2 * HOUR)).toEqual(at('2026-12-26T11:00-05:00'));
    // Monday 28th 8 hours, Tuesday 29th closed, Wednesday 30th 8 hours.
    expect(calendar.between(at('2026-12-28T00:00-05:00'), at('2026-12-31T00:00-05:00'))).toBe(16 * HOUR);
  });

  it('an override wins over a holiday on the same date', () => {
    const workedChristmas = compileCalendar({ ...newYork, overrides: { '2026-12-25': [['10:00', '12:00']] } });
    expect(workedChristmas.between(at('2026-12-25T00:00-05:00'), at('2026-12-26T00:00-05:00'))).toBe(2 * HOUR);
  });

  it('do not change the standard business day', () => {
    expect(calendar.businessDayMs).toBe(8 * HOUR);
  });
});

describe('long spans', () => {
  const newYork = compileCalendar({ zone: 'America/New_York', hours: week([['09:00', '17:00']]) });

  it('add three business weeks across the spring-forward weekend', () => {
    expect(newYork.add(at('2026-03-02T09:00-05:00'), 15 * 8 * HOUR)).toEqual(at('2026-03-20T17:00-04:00'));
  });

  it('count a whole year: 2026 has 261 weekdays', () => {
    expect(newYork.between(at('2026-01-01T00:00-05:00'), at('2027-01-01T00:00-05:00'))).toBe(261 * 8 * HOUR);
  });

  it('count twenty years quickly', () => {
    const started = performance.now();
    // 1 Jan 2026 to 1 Jan 2046 is 7305 days: 1043 weeks and 4 days, Thursday to Sunday.
    expect(newYork.between(at('2026-01-01T00:00-05:00'), at('2046-01-01T00:00-05:00'))).toBe((1043 * 5 + 2) * 8 * HOUR);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('the business day', () => {
  it('is the most common working day of the week', () => {
    const shortFridays = compileCalendar({ zone: 'UTC', hours: { ...week([['09:00', '17:00']]), fri: [['09:00', '15:00']] } });
    expect(shortFridays.businessDayMs).toBe(8 * HOUR);
  });

  it('is the longer of two equally common ones', () => {
    const hours: CalendarSpec['hours'] = { ...week([]), mon: [['09:00', '15:00']], tue: [['09:00', '15:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']] };
    expect(compileCalendar({ zone: 'UTC', hours }).businessDayMs).toBe(8 * HOUR);
  });
});

describe('ALWAYS_OPEN', () => {
  it('counts the wall clock', () => {
    expect(ALWAYS_OPEN.between(at('2026-03-29T00:00+01:00'), at('2026-03-30T00:00+02:00'))).toBe(23 * HOUR);
    expect(ALWAYS_OPEN.between(at('2026-03-30T00:00Z'), at('2026-03-29T00:00Z'))).toBe(0);
    expect(ALWAYS_OPEN.add(at('2026-03-28T12:00Z'), 36 * HOUR)).toEqual(at('2026-03-30T00:00Z'));
    expect(ALWAYS_OPEN.add(at('2026-03-28T12:00Z'), 0)).toEqual(at('2026-03-28T12:00Z'));
    expect(ALWAYS_OPEN.businessDayMs).toBe(24 * HOUR);
    expect(() => ALWAYS_OPEN.add(at('2026-03-28T12:00Z'), -1)).toThrow(RangeError);
  });
});

/**
 * Each zone's two transitions of 2026, all on Sundays. Where the clocks go forward, a time they
 * skip is taken at the moment they jump; where they go back, a time shown twice is taken the
 * first time (at the earlier offset, the one in force before the change).
 */
describe.each([
  {
    zone: 'Europe/Berlin',
    forward: { day: '2026-03-29', before: '+01:00', after: '+02:00', skipped: ['02:00', '03:00'] as [string, string], jump: '03:00+02:00' },
    back: { day: '2026-10-25', before: '+02:00', after: '+01:00', twice: '02:30' },
  },
  {
    zone: 'America/New_York',
    forward: { day: '2026-03-08', before: '-05:00', after: '-04:00', skipped: ['02:00', '03:00'] as [string, string], jump: '03:00-04:00' },
    back: { day: '2026-11-01', before: '-04:00', after: '-05:00', twice: '01:30' },
  },
  {
    zone: 'Australia/Sydney',
    forward: { day: '2026-10-04', before: '+10:00', after: '+11:00', skipped: ['02:00', '03:00'] as [string, string], jump: '03:00+11:00' },
    back: { day: '2026-04-05', before: '+11:00', after: '+10:00', twice: '02:30' },
  },
])('$zone', ({ zone, forward, back }) => {
  const plusDays = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00Z`) + days * 24 * HOUR).toISOString().slice(0, 10);
  const dayAfter = (day: string): string => plusDays(day, 1);
  const dayBefore = (day: string): string => plusDays(day, -1);
  const allDay = compileCalendar({ zone, hours: sundays([['00:00', '24:00']]) });

  it(`a 00:00–24:00 day holds 23 hours on ${forward.day}, when the clocks go forward`, () => {
    const [from, to] = [at(`${forward.day}T00:00${forward.before}`), at(`${dayAfter(forward.day)}T00:00${forward.after}`)];
    expect(allDay.between(from, to)).toBe(23 * HOUR);
    expect(allDay.between(at(`${dayBefore(forward.day)}T12:00${forward.before}`), at(`${dayAfter(forward.day)}T12:00${forward.after}`))).toBe(23 * HOUR);
    expect(allDay.add(from, 23 * HOUR)).toEqual(to);
  });

  it(`a 00:00–24:00 day holds 25 hours on ${back.day}, when the clocks go back`, () => {
    const [from, to] = [at(`${back.day}T00:00${back.before}`), at(`${dayAfter(back.day)}T00:00${back.after}`)];
    expect(allDay.between(from, to)).toBe(25 * HOUR);
    expect(allDay.add(from, 25 * HOUR)).toEqual(to);
  });

  it(`an interval in the hour skipped on ${forward.day} holds nothing; one reaching past it starts at the jump`, () => {
    const [start, end] = forward.skipped;
    const skipped = compileCalendar({ zone, hours: sundays([[start, end], ['09:00', '10:00']]) });
    const sunday = (day: string, offset: string): [Date, Date] => [at(`${day}T00:00${offset}`), at(`${dayAfter(day)}T00:00${offset}`)];
    expect(skipped.between(...sunday(forward.day, forward.before))).toBe(HOUR);
    // The Sunday before, the same hours hold two.
    expect(skipped.between(...sunday(plusDays(forward.day, -7), forward.before))).toBe(2 * HOUR);
    expect(skipped.add(at(`${dayBefore(forward.day)}T12:00${forward.before}`), MINUTE)).toEqual(at(`${forward.day}T09:01${forward.after}`));

    const pastTheJump = compileCalendar({ zone, hours: sundays([['02:30', '04:00']]) });
    expect(pastTheJump.between(...sunday(forward.day, forward.before))).toBe(HOUR);
    expect(pastTheJump.add(at(`${dayBefore(forward.day)}T12:00${forward.before}`), MINUTE)).toEqual(
      new Date(at(`${forward.day}T${forward.jump}`).getTime() + MINUTE),
    );
  });

  it(`a ${back.twice} start on ${back.day}, shown twice, is taken at the earlier offset`, () => {
    const twice = compileCalendar({ zone, hours: sundays([[back.twice, '12:00']]) });
    expect(twice.add(at(`${dayBefore(back.day)}T12:00${back.before}`), MINUTE)).toEqual(
      new Date(at(`${back.day}T${back.twice}${back.before}`).getTime() + MINUTE),
    );
    // From its first showing to noon: the repeated hour is counted in full.
    const noon = at(`${back.day}T12:00${back.after}`);
    expect(twice.between(at(`${back.day}T00:00${back.before}`), noon)).toBe(noon.getTime() - at(`${back.day}T${back.twice}${back.before}`).getTime());
  });
});

describe('America/Santiago, where the clocks change at midnight', () => {
  const allDay = compileCalendar({ zone: 'America/Santiago', hours: everyDay([['00:00', '24:00']]) });
  const weekdays = compileCalendar({ zone: 'America/Santiago', hours: week([['09:00', '18:00']], [['00:00', '24:00']]) });

  it('gives the hour shown twice to the Saturday, when Sunday 00:00 goes back to Saturday 23:00', () => {
    // Sunday starts when the clock first shows 00:00, after the repeated hour.
    expect(allDay.between(at('2026-04-04T00:00-03:00'), at('2026-04-05T00:00-04:00'))).toBe(25 * HOUR);
    expect(weekdays.add(at('2026-04-04T00:00-03:00'), 25 * HOUR)).toEqual(at('2026-04-05T00:00-04:00'));
  });

  it('starts the Sunday at 01:00 when midnight is skipped', () => {
    expect(allDay.between(at('2026-09-06T01:00-03:00'), at('2026-09-07T00:00-03:00'))).toBe(23 * HOUR);
    expect(weekdays.add(at('2026-09-05T23:00-04:00'), 2 * HOUR)).toEqual(at('2026-09-06T02:00-03:00'));
  });

  it('counts whole weeks that end at the change of clocks in full', () => {
    // Sunday to Saturday, the Saturday holding 25 hours.
    expect(allDay.between(at('2026-03-29T00:00-03:00'), at('2026-04-05T00:00-04:00'))).toBe(7 * 24 * HOUR + HOUR);
    expect(allDay.add(at('2026-03-29T00:00-03:00'), 7 * 24 * HOUR + 2 * HOUR)).toEqual(at('2026-04-05T01:00-04:00'));
  });
});
