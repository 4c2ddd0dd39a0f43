import { DAY_MS } from './calendar-zone.js';
import type { ZoneOffsets } from './calendar-zone.js';

/**
 * Instants are taken from 0001-01-01 to 9999-12-31 UTC, the years ISO 8601 writes without a sign:
 * walking further would only cost time (the zone's offsets are looked up one year at a time).
 */
export const FIRST_INSTANT = -62_135_596_800_000;
export const END_OF_INSTANTS = 253_402_300_800_000;

/** One local day's working time: [start, end, start, end, ...] in ms after midnight, ascending. */
export type DaySchedule = readonly number[];

export interface WorkingIntervalsRules {
  readonly zone: ZoneOffsets;
  /** Monday first. */
  readonly week: readonly DaySchedule[];
  /** Holidays and overrides by local day (days since 1970-01-01); they replace the weekday's hours. */
  readonly exceptions: ReadonlyMap<number, DaySchedule>;
}

/**
 * Working time in a zone, over instants as epoch milliseconds. The working intervals of a local
 * day are [first instant showing its start, first instant showing its end) (see
 * ZoneOffsets.firstInstantShowing); over all days they are ascending and disjoint, so both
 * queries walk them in order. A run of whole weeks with no exception and no change of offset is
 * crossed in one step: it holds exactly the weekly hours.
 */
export class WorkingIntervals {
  readonly #zone: ZoneOffsets;
  readonly #week: readonly DaySchedule[];
  readonly #weekMs: number;
  readonly #exceptions: ReadonlyMap<number, DaySchedule>;
  readonly #exceptionDays: readonly number[];

  constructor({ zone, week, exceptions }: WorkingIntervalsRules) {
    this.#zone = zone;
    this.#week = week;
    this.#weekMs = week.reduce((sum, day) => sum + scheduledMs(day), 0);
    this.#exceptions = exceptions;
    this.#exceptionDays = [...exceptions.keys()].sort((x, y) => x - y);
  }

  /** Working time in [from, to). */
  between(from: number, to: number): number {
    if (!(to > from)) return 0;
    const lastDay = this.#zone.localDayOf(to);
    let total = 0;
    for (let day = this.#zone.localDayOf(from); ; ) {
      const dayStart = this.#zone.firstInstantShowing(day * DAY_MS);
      if (dayStart >= to) return total;
      // Days before the one `to` falls on end by the instant its midnight is first shown, so by `to`.
      const weeks = dayStart >= from ? this.#plainWeeksFrom(day, dayStart, Math.floor((lastDay - day) / 7)) : 0;
      if (weeks > 0) {
        total += weeks * this.#weekMs;
        day += 7 * weeks;
        continue;
      }
      const intervals = this.#intervalsOf(day);
      for (let i = 0; i < intervals.length; i += 2) {
        total += Math.max(0, Math.min(intervals[i + 1] ?? 0, to) - Math.max(intervals[i] ?? 0, from));
      }
      day++;
    }
  }

  /** The earliest instant t >= from with between(from, t) >= ms, for a whole ms > 0. */
  add(from: number, ms: number): number {
    // Working time never outruns the wall clock, so such a deadline cannot come sooner.
    if (ms >= END_OF_INSTANTS - from) throw new RangeError('the deadline lies after 9999-12-31');
    let remaining = ms;
    for (let day = this.#zone.localDayOf(from); ; ) {
      if (day * DAY_MS >= END_OF_INSTANTS) throw new RangeError('the deadline lies after 9999-12-31');
      const dayStart = this.#zone.firstInstantShowing(day * DAY_MS);
      // Only weeks that leave some time to count: the deadline is the end of a working interval
      // when the time runs out with one, never the start of the week after.
      const weeks = dayStart >= from ? this.#plainWeeksFrom(day, dayStart, Math.ceil(remaining / this.#weekMs) - 1) : 0;
      if (weeks > 0) {
        remaining -= weeks * this.#weekMs;
        day += 7 * weeks;
        continue;
      }
      const intervals = this.#intervalsOf(day);
      for (let i = 0; i < intervals.length; i += 2) {
        const start = Math.max(intervals[i] ?? 0, from);
        const available = (intervals[i + 1] ?? 0) - start;
        if (available <= 0) continue;
        if (available >= remaining) return start + remaining;
        remaining -= available;
      }
      day++;
    }
  }

  /**
   * How many whole weeks from local day `day` (whose midnight is first shown at `dayStart`), at
   * most `atMost`, have neither an exception nor a change of offset: in those the working time
   * is the weekly hours, and wall-clock times map to instants by one fixed offset.
   */
  #plainWeeksFrom(day: number, dayStart: number, atMost: number): number {
    if (atMost <= 0) return 0;
    const offset = this.#zone.offsetAt(dayStart);
    // A midnight the clocks jumped over starts its day late: that day takes the careful path.
    if (dayStart !== day * DAY_MS - offset) return 0;
    const nextException = this.#exceptionDays[firstAtOrAfter(this.#exceptionDays, day)] ?? Infinity;
    // The midnight after the weeks must come strictly before the offset changes: when the clocks
    // go back at midnight, the instant of the change shows 23:00, and midnight is first shown an
    // hour later, ending the last day of the weeks an hour later too.
    const offsetChangesOnDay = (this.#zone.constantUntil(dayStart) + offset) / DAY_MS;
    const weeksBeforeChange = Math.ceil((offsetChangesOnDay - day) / 7) - 1;
    return Math.max(0, Math.min(atMost, Math.floor((nextException - day) / 7), weeksBeforeChange));
  }

  /** The working intervals of local day `day` as instants: [start, end, ...], none empty. */
  #intervalsOf(day: number): number[] {
    const schedule = this.#exceptions.get(day) ?? this.#week[weekdayOf(day)] ?? [];
    const midnight = day * DAY_MS;
    const intervals: number[] = [];
    for (let i = 0; i < schedule.length; i += 2) {
      const start = this.#zone.firstInstantShowing(midnight + (schedule[i] ?? 0));
      const end = this.#zone.firstInstantShowing(midnight + (schedule[i + 1] ?? 0));
      // An interval wholly inside the hour the clocks skip holds nothing.
      if (end > start) intervals.push(start, end);
    }
    return intervals;
  }
}

export function scheduledMs(day: DaySchedule): number {
  let total = 0;
  for (let i = 0; i < day.length; i += 2) total += (day[i + 1] ?? 0) - (day[i] ?? 0);
  return total;
}

/** Monday = 0 for days since 1970-01-01, which was a Thursday. */
const weekdayOf = (day: number): number => (((day + 3) % 7) + 7) % 7;

/** The index of the first element >= value in the ascending `sorted` (its length if none is). */
function firstAtOrAfter(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] ?? Infinity) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
