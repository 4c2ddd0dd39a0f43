/**
 * A seeded pseudo-random source: sfc32 (Chris Doty-Humphrey's small fast counting generator),
 * whose state is filled from the seed and a salt by splitmix32. The same seed and salt give the
 * same sequence on every platform, and sources with different salts do not track each other, so
 * each ticket can draw from its own source and its story does not depend on how many draws other
 * tickets made before it.
 */

const TWO_TO_32 = 2 ** 32;

function splitmix32(state: number): () => number {
  let s = state | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Folds whole numbers (a seed of up to 53 bits, salts) into one 32-bit state. */
function mix(words: readonly number[]): number {
  let h = 0x2545f491;
  for (const word of words) {
    for (const half of [word % TWO_TO_32, Math.floor(word / TWO_TO_32)]) {
      h = splitmix32(h ^ (half | 0))();
    }
  }
  return h;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  /** A source for `seed` (any safe integer) and the salts that tell this source from the seed's others. */
  constructor(seed: number, ...salt: number[]) {
    const fill = splitmix32(mix([seed, ...salt]));
    this.a = fill();
    this.b = fill();
    this.c = fill();
    // sfc32's first outputs still show the seeding; these are discarded.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / TWO_TO_32;
  }

  /** A whole number in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick needs at least one item');
    return items[this.below(items.length)] as T;
  }

  /** One of the items, each as likely as its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let left = this.next() * total;
    for (const [item, weight] of items) {
      left -= weight;
      if (left < 0) return item;
    }
    const last = items.at(-1);
    if (last === undefined) throw new RangeError('weighted needs at least one item');
    return last[0];
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }

  /** Exponentially distributed with this mean: the gaps of a steady random arrival process. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /**
   * Log-normally distributed: half the draws below `median`, with a long tail above it; `spread`
   * is the standard deviation of the logarithm. How long people take to do things.
   */
  logNormal(median: number, spread: number): number {
    // Box–Muller; 1 - next() is never 0.
    const normal = Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
    return median * Math.exp(spread * normal);
  }
}
