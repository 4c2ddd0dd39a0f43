import { IANAZone } from 'luxon';

export const DAY_MS = 86_400_000;

/** The zone's offsets are worked out one span of this length at a time, the first time it is needed. */
const SPAN_MS = 364 * DAY_MS;

/**
 * Offsets are sampled once a day and each change is pinned to the millisecond by bisection. That
 * finds every transition as long as no two lie within a day of each other: sampling every zone
 * Node knows every six hours from 1970 to 2040, the closest pair is almost 7 days apart (Brazil,
 * October 2000).
 */
const SAMPLE_MS = DAY_MS;

/** The instants a Date can hold lie within this distance of 1970. */
const MAX_DATE_MS = 8.64e15;

/** The offsets in force over one span: run i starts at starts[i] (the first at the span's start). */
interface OffsetRuns {
  readonly starts: number[];
  readonly offsets: number[];
}

/**
 * A zone's UTC offsets as a table of transitions, so that turning wall-clock times into instants
 * costs a lookup instead of an Intl formatting call (about 4 µs each through luxon). Times are
 * epoch milliseconds; a wall-clock time is written the same way, as if the zone were UTC.
 */
export class ZoneOffsets {
  /** One table per zone, shared by every calendar in it: a zone's rules do not change while we run. */
  static readonly #byZone = new Map<string, ZoneOffsets>();

  static of(zoneName: string): ZoneOffsets {
    let offsets = ZoneOffsets.#byZone.get(zoneName);
    if (offsets === undefined) {
      offsets = new ZoneOffsets(zoneName);
      ZoneOffsets.#byZone.set(zoneName, offsets);
    }
    return offsets;
  }

  readonly #zone: IANAZone;
  readonly #spans = new Map<number, OffsetRuns>();

  private constructor(zoneName: string) {
    this.#zone = IANAZone.create(zoneName);
  }

  /** The offset (wall clock minus UTC, in ms) in force at `instant`. */
  offsetAt(instant: number): number {
    const runs = this.#runsAround(instant);
    return runs.offsets[lastAtOrBefore(runs.starts, instant)] ?? 0;
  }

  /**
   * An instant after `instant` up to which the offset stays as it is at `instant`: the next
   * transition, or the end of the span looked at so far (the offset may well go on unchanged).
   */
  constantUntil(instant: number): number {
    const runs = this.#runsAround(instant);
    const next = runs.starts[lastAtOrBefore(runs.starts, instant) + 1];
    return next ?? spanStart(spanIndex(instant) + 1);
  }

  /**
   * The first instant at which the wall clock shows `wall` or later. That is the one instant
   * showing it on an ordinary day, the earlier of two when the clocks go back, and the moment the
   * clocks jump when they go forward over it.
   */
  firstInstantShowing(wall: number): number {
    // No zone is a day or more ahead of UTC, so every instant before this one shows an earlier time.
    let instant = wall - DAY_MS;
    for (;;) {
      const runEnd = this.constantUntil(instant);
      const showing = Math.max(instant, wall - this.offsetAt(instant));
      if (showing < runEnd) return showing;
      instant = runEnd;
    }
  }

  /** The wall-clock date of `instant`, as days since 1970-01-01. */
  localDayOf(instant: number): number {
    return Math.floor((instant + this.offsetAt(instant)) / DAY_MS);
  }

  #runsAround(instant: number): OffsetRuns {
    const index = spanIndex(instant);
    let runs = this.#spans.get(index);
    if (runs === undefined) {
      runs = this.#findRuns(spanStart(index), spanStart(index + 1));
      this.#spans.set(index, runs);
    }
    return runs;
  }

  #findRuns(from: number, to: number): OffsetRuns {
    const starts = [from];
    const offsets = [this.#offset(from)];
    let current = offsets[0] ?? 0;
    for (let sample = from; sample < to; ) {
      const next = Math.min(sample + SAMPLE_MS, to);
      if (this.#offset(next) !== current) {
        const change = this.#firstChange(sample, next, current);
        current = this.#offset(change);
        starts.push(change);
        offsets.push(current);
        // Look on from the change itself, not from `next`, should the next one also be near.
        sample = change;
      } else {
        sample = next;
      }
    }
    return { starts, offsets };
  }

  /** The first instant in (after, upTo] whose offset differs from `offset`, which is in force at `after`. */
  #firstChange(after: number, upTo: number, offset: number): number {
    let low = after;
    let high = upTo;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (this.#offset(middle) === offset) low = middle;
      else high = middle;
    }
    return high;
  }

  #offset(instant: number): number {
    // Spans run a little past the instants a Date can hold; beyond them the offset stays put.
    const representable = Math.min(Math.max(instant, -MAX_DATE_MS), MAX_DATE_MS);
    // luxon gives minutes, fractional for the odd historical offset with seconds in it.
    return Math.round(this.#zone.offset(representable) * 60_000);
  }
}

const spanIndex = (instant: number): number => Math.floor(instant / SPAN_MS);
const spanStart = (index: number): number => index * SPAN_MS;

/** The index of the last element <= value in the ascending `sorted`, whose first element is <= value. */
function lastAtOrBefore(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((sorted[middle] ?? Infinity) <= value) low = middle;
    else high = middle - 1;
  }
  return low;
}
