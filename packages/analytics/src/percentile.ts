/**
 * The nearest-rank percentile of ascending `sorted` values: the smallest value with at least
 * p % of the values at or below it (p = 0 gives the smallest). Null for no values.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`a percentile is between 0 and 100, not ${p}`);
  if (sorted.length === 0) return null;
  // p * n is an integer for integer p, so the division is exact whenever the rank is whole.
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1] ?? null;
}

/** Median and p90, nearest rank, of values in any order. */
export function medianAndP90(values: number[]): { median: number | null; p90: number | null } {
  const sorted = values.sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p90: percentile(sorted, 90) };
}
