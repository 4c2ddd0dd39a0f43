/**
 * Business calendars: when a region's support is at work, as data (validated JSON), and the
 * working time between two instants or the deadline a given working time after an instant.
 *
 * Semantics. A day's hours are local wall-clock ranges [start, end); "24:00" is the next local
 * midnight. A range becomes the instants [first instant showing start, first instant showing end)
 * in the calendar's zone, where "the first instant showing T" is the first moment at which the
 * wall clock shows T or later. So when the clocks go forward, a time they skip is taken at the
 * moment they jump (02:00–03:00 on a night when 02:00 becomes 03:00 holds nothing, 02:00–04:00
 * holds one hour); when they go back, a time they show twice is taken the first time (00:00–24:00
 * holds 25 hours, 02:30–03:30 on a night when 03:00 becomes 02:00 holds two; where midnight
 * goes back to 23:00, the repeated hour belongs to the day before). Working time is real elapsed
 * time inside those intervals.
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { DAY_MS, ZoneOffsets } from './calendar-zone.js';
import { END_OF_INSTANTS, FIRST_INSTANT, WorkingIntervals, scheduledMs } from './calendar-intervals.js';
import type { DaySchedule } from './calendar-intervals.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const show = (input: unknown): string => JSON.stringify(input) ?? String(input);

/** "HH:MM" from 00:00 to 24:00, two digits each. */
const CLOCK_TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const ClockTime = z
  .string({ error: (issue) => `expected a time "HH:MM", got ${show(issue.input)}` })
  .regex(CLOCK_TIME, { error: (issue) => `expected a time "HH:MM" from 00:00 to 24:00, got ${show(issue.input)}` });

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Orders are checked only among valid times: zod would otherwise go on to refine a list whose items failed. */
const whenValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

const WorkingInterval = z
  .tuple([ClockTime, ClockTime], { error: 'expected an interval ["HH:MM", "HH:MM"]' })
  .refine(([start, end]) => minutesOf(start) < minutesOf(end), { error: 'an interval must start before it ends', ...whenValid });

/** A day's working intervals, in order; [] for a day with none. */
const DayHours = z
  .array(WorkingInterval, {
    error: (issue) =>
      issue.input === undefined ? 'missing: list the working intervals of every weekday, [] for none' : 'expected a list of intervals [["HH:MM", "HH:MM"], ...]',
  })
  .superRefine((intervals, context) => {
    intervals.forEach(([start], i) => {
      const previousEnd = intervals[i - 1]?.[1];
      if (previousEnd !== undefined && minutesOf(start) < minutesOf(previousEnd)) {
        context.addIssue({
          code: 'custom',
          path: [i],
          message: `intervals must be in order and must not overlap: this one starts at ${start}, before the one before it ends at ${previousEnd}`,
        });
      }
    });
  }, whenValid);

const isRealDate = (text: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text, { zone: 'utc' }).isValid;

/** A local date, "YYYY-MM-DD". */
const LocalDate = z
  .string({ error: (issue) => `expected a date "YYYY-MM-DD", got ${show(issue.input)}` })
  .refine(isRealDate, { error: (issue) => `expected a real date "YYYY-MM-DD", got ${show(issue.input)}` });

const WeekHours = z.strictObject(
  { mon: DayHours, tue: DayHours, wed: DayHours, thu: DayHours, fri: DayHours, sat: DayHours, sun: DayHours },
  { error: 'expected the working intervals of each weekday, { "mon": [["09:00", "17:00"]], ..., "sun": [] }' },
);

const Zone = z
  .string({ error: 'expected the IANA time zone of the hours, such as "Europe/Berlin"' })
  .refine((zone) => IANAZone.isValidZone(zone), { error: (issue) => `unknown IANA time zone ${show(issue.input)}` });

export const CalendarSpec = z
  .strictObject(
    {
      zone: Zone,
      hours: WeekHours,
      /** Dates without working time. */
      holidays: z.array(LocalDate, { error: 'expected a list of dates "YYYY-MM-DD"' }).optional(),
      /** Dates whose hours replace their weekday's (an empty list closes the day); they win over holidays. */
      overrides: z.record(LocalDate, DayHours, { error: 'expected hours by date, { "YYYY-MM-DD": [["HH:MM", "HH:MM"], ...] }' }).optional(),
    },
    { error: 'expected a calendar: an object with zone, hours and optionally holidays and overrides' },
  )
  .refine((spec) => WEEKDAYS.some((day) => spec.hours[day].length > 0), {
    path: ['hours'],
    error: 'the week has no working time at all, so no deadline could ever be reached',
    ...whenValid,
  });
export type CalendarSpec = z.infer<typeof CalendarSpec>;

export interface BusinessCalendar {
  /** Working time from `from` to `to`, in milliseconds (0 when to <= from). */
  between(from: Date, to: Date): number;
  /** The earliest instant t >= from with between(from, t) >= ms. */
  add(from: Date, ms: number): Date;
  /** The working time of one standard business day, for durations given in business days. */
  readonly businessDayMs: number;
}

export class CalendarError extends Error {
  constructor(
    message: string,
    readonly issues: { path: (string | number)[]; message: string }[],
  ) {
    super(message);
    this.name = 'CalendarError';
  }
}

/** Validates a calendar (throwing CalendarError with every problem found) and prepares it for use. */
export function compileCalendar(spec: unknown): BusinessCalendar {
  const parsed = CalendarSpec.safeParse(spec);
  if (!parsed.success) throw calendarErrorOf(parsed.error);
  const { zone, hours, holidays = [], overrides = {} } = parsed.data;
  const week = WEEKDAYS.map((day) => scheduleOf(hours[day]));
  const exceptions = new Map<number, DaySchedule>();
  for (const date of holidays) exceptions.set(localDayOf(date), []);
  for (const [date, intervals] of Object.entries(overrides)) exceptions.set(localDayOf(date), scheduleOf(intervals));
  const workingIntervals = new WorkingIntervals({ zone: ZoneOffsets.of(zone), week, exceptions });
  return {
    between: (from, to) => workingIntervals.between(instantOf(from), instantOf(to)),
    add: (from, ms) => {
      const duration = durationOf(ms);
      return dateOf(duration === 0 ? instantOf(from) : workingIntervals.add(instantOf(from), duration));
    },
    businessDayMs: standardDayMs(week),
  };
}

/** Every instant is working time: technical support's 24/7. */
export const ALWAYS_OPEN: BusinessCalendar = {
  between: (from, to) => Math.max(0, instantOf(to) - instantOf(from)),
  add: (from, ms) => dateOf(instantOf(from) + durationOf(ms)),
  businessDayMs: DAY_MS,
};

function calendarErrorOf(error: z.ZodError): CalendarError {
  const issues = error.issues.flatMap((issue) => {
    const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
    // One issue per unknown key, at the key itself, rather than one naming them all at the object.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown key' }));
    // A bad override date: zod wraps the date's own complaint in a generic "invalid key".
    if (issue.code === 'invalid_key') return issue.issues.map(({ message }) => ({ path, message }));
    return [{ path, message: issue.message }];
  });
  const summary = issues.map(({ path, message }) => `${pathText(path)}: ${message}`).join('; ');
  return new CalendarError(`invalid calendar: ${summary}`, issues);
}

/** hours.tue[1][0], as one would reach the value in JavaScript. */
const pathText = (path: (string | number)[]): string =>
  path.length === 0 ? '(calendar)' : path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');

const scheduleOf = (intervals: [string, string][]): DaySchedule => intervals.flatMap((interval) => interval.map((time) => minutesOf(time) * 60_000));

const localDayOf = (date: string): number => DateTime.fromISO(date, { zone: 'utc' }).toMillis() / DAY_MS;

/** Durations in business days use the most common non-zero day of the week, the longest of equally common ones. */
function standardDayMs(week: readonly DaySchedule[]): number {
  const daysOfLength = new Map<number, number>();
  for (const day of week) {
    const ms = scheduledMs(day);
    if (ms > 0) daysOfLength.set(ms, (daysOfLength.get(ms) ?? 0) + 1);
  }
  let standard = 0;
  let mostDays = 0;
  for (const [ms, days] of daysOfLength) {
    if (days > mostDays || (days === mostDays && ms > standard)) [standard, mostDays] = [ms, days];
  }
  return standard;
}

function instantOf(date: Date): number {
  const instant = date.getTime();
  if (!(instant >= FIRST_INSTANT && instant < END_OF_INSTANTS)) {
    throw new RangeError(`expected an instant from 0001-01-01 to 9999-12-31 UTC, got ${String(date)}`);
  }
  return instant;
}

/** Instants have whole milliseconds, so a fraction of one rounds up: the deadline is never early. */
function durationOf(ms: number): number {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`expected a duration of zero or more milliseconds, got ${ms}`);
  return Math.ceil(ms);
}

function dateOf(instant: number): Date {
  if (instant >= END_OF_INSTANTS) throw new RangeError('the deadline lies after 9999-12-31');
  return new Date(instant);
}
