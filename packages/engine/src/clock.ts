/** Where time comes from. Services use the system clock; tests, demos and replays pass their own. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stays where it is put: `--now`, tests, back-dated imports. */
export function fixedClock(instant: Date): Clock {
  if (Number.isNaN(instant.getTime())) throw new RangeError('fixedClock needs a valid instant');
  return { now: () => new Date(instant.getTime()) };
}
