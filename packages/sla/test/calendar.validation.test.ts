import { describe, expect, it } from '@jest/globals';
import { CalendarError, CalendarSpec, compileCalendar } from '../src/calendar.js';
import { ISSUE_CALENDAR } from './calendars.js';

/** The issue's calendar with every optional part: Christmas Eve is a half day. */
const officeHours = { ...ISSUE_CALENDAR, overrides: { '2026-12-24': [['09:00', '12:00']] } };

const { sun: _sunday, ...withoutSunday } = officeHours.hours;

/** officeHours with one weekday's hours replaced. */
const withDay = (day: string, hours: unknown) => ({ ...officeHours, hours: { ...officeHours.hours, [day]: hours } });

function issuesOf(spec: unknown): CalendarError['issues'] {
  try {
    compileCalendar(spec);
  } catch (error) {
    if (error instanceof CalendarError) return error.issues;
    throw error;
  }
  throw new Error('the calendar was accepted');
}

describe('a valid calendar', () => {
  it('is accepted as it is, and CalendarSpec parses it unchanged', () => {
    expect(() => compileCalendar(officeHours)).not.toThrow();
    expect(CalendarSpec.parse(officeHours)).toEqual(officeHours);
  });

  it('may have back-to-back intervals, a day from 00:00 to 24:00 and no holidays or overrides', () => {
    const { zone } = officeHours;
    expect(() => compileCalendar({ zone, hours: { ...officeHours.hours, wed: [['00:00', '12:00'], ['12:00', '24:00']] } })).not.toThrow();
  });
});

describe('an invalid calendar is refused with the path and reason of each problem', () => {
  it.each([
    ['an unknown zone', { ...officeHours, zone: 'Europe/Atlantis' }, ['zone'], 'unknown IANA time zone "Europe/Atlantis"'],
    ['no zone', { hours: officeHours.hours }, ['zone'], 'expected the IANA time zone'],
    ['an hour past 24', withDay('mon', [['09:00', '25:00']]), ['hours', 'mon', 0, 1], 'expected a time "HH:MM" from 00:00 to 24:00, got "25:00"'],
    ['a single-digit hour', withDay('mon', [['9:00', '17:00']]), ['hours', 'mon', 0, 0], 'got "9:00"'],
    ['minute 60', withDay('mon', [['09:00', '12:60']]), ['hours', 'mon', 0, 1], 'got "12:60"'],
    ['a minute past 24:00', withDay('mon', [['09:00', '24:01']]), ['hours', 'mon', 0, 1], 'got "24:01"'],
    ['seconds', withDay('mon', [['09:00:00', '17:00']]), ['hours', 'mon', 0, 0], 'got "09:00:00"'],
    ['a time that is not a string', withDay('mon', [[900, '17:00']]), ['hours', 'mon', 0, 0], 'expected a time "HH:MM", got 900'],
    ['an interval with one time', withDay('mon', [['09:00']]), ['hours', 'mon', 0], 'expected an interval ["HH:MM", "HH:MM"]'],
    ['an interval ending where it starts', withDay('mon', [['09:00', '09:00']]), ['hours', 'mon', 0], 'an interval must start before it ends'],
    ['an interval ending before it starts', withDay('mon', [['17:00', '09:00']]), ['hours', 'mon', 0], 'an interval must start before it ends'],
    [
      'overlapping intervals',
      withDay('tue', [['09:00', '13:00'], ['12:00', '17:00']]),
      ['hours', 'tue', 1],
      'intervals must be in order and must not overlap: this one starts at 12:00, before the one before it ends at 13:00',
    ],
    ['unsorted intervals', withDay('tue', [['13:00', '17:00'], ['09:00', '12:00']]), ['hours', 'tue', 1], 'must be in order'],
    ['a day that is not a list', withDay('mon', '09:00-17:00'), ['hours', 'mon'], 'expected a list of intervals'],
    ['a missing weekday', { ...officeHours, hours: withoutSunday }, ['hours', 'sun'], 'missing: list the working intervals of every weekday, [] for none'],
    ['an unknown weekday', withDay('sunday', []), ['hours', 'sunday'], 'unknown key'],
    ['no hours', { zone: 'UTC' }, ['hours'], 'expected the working intervals of each weekday'],
    [
      'a week without working time',
      { zone: 'UTC', hours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, overrides: { '2026-12-24': [['09:00', '12:00']] } },
      ['hours'],
      'the week has no working time at all, so no deadline could ever be reached',
    ],
    ['a holiday on 30 February', { ...officeHours, holidays: ['2026-02-30'] }, ['holidays', 0], 'expected a real date "YYYY-MM-DD", got "2026-02-30"'],
    ['a holiday in month 13', { ...officeHours, holidays: ['2026-12-25', '2026-13-01'] }, ['holidays', 1], 'got "2026-13-01"'],
    ['a holiday written day first', { ...officeHours, holidays: ['25.12.2026'] }, ['holidays', 0], 'got "25.12.2026"'],
    ['a holiday with a time', { ...officeHours, holidays: ['2026-12-25T00:00'] }, ['holidays', 0], 'got "2026-12-25T00:00"'],
    ['holidays that are not a list', { ...officeHours, holidays: '2026-12-25' }, ['holidays'], 'expected a list of dates'],
    ['an override on a date that does not exist', { ...officeHours, overrides: { '2026-04-31': [] } }, ['overrides', '2026-04-31'], 'expected a real date'],
    ['an override with a bad interval', { ...officeHours, overrides: { '2026-12-24': [['12:00', '09:00']] } }, ['overrides', '2026-12-24', 0], 'an interval must start before it ends'],
    ['an unknown key', { ...officeHours, timezone: 'Europe/Berlin' }, ['timezone'], 'unknown key'],
    ['not an object', 'Europe/Berlin', [], 'expected a calendar: an object with zone, hours and optionally holidays and overrides'],
  ])('%s', (_name, spec, path, message) => {
    expect(issuesOf(spec)).toEqual([{ path, message: expect.stringContaining(message) }]);
  });

  it('reports every problem at once, in a message that names each path', () => {
    const spec = { ...withDay('mon', [['9:00', '17:00']]), zone: 'Mars/Olympus', holidays: ['2026-02-29'], extra: true };
    let caught: unknown;
    try {
      compileCalendar(spec);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CalendarError);
    const error = caught as CalendarError;
    expect(error.issues.map(({ path }) => path)).toEqual([['zone'], ['hours', 'mon', 0, 0], ['holidays', 0], ['extra']]);
    expect(error.message).toBe(
      'invalid calendar: zone: unknown IANA time zone "Mars/Olympus"; hours.mon[0][0]: expected a time "HH:MM" from 00:00 to 24:00, got "9:00"; ' +
        'holidays[0]: expected a real date "YYYY-MM-DD", got "2026-02-29"; extra: unknown key',
    );
  });
});
