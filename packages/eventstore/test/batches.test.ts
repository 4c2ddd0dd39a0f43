import { describe, expect, it } from '@jest/globals';
import { batchesOf } from '../src/index.js';

describe('batchesOf', () => {
  it('takes what is ready into one batch, up to the limit, and waits for what is not', async () => {
    async function* source() {
      yield* [1, 2, 3, 4, 5];
      await new Promise((later) => setTimeout(later, 20));
      yield 6;
    }
    const batches: number[][] = [];
    for await (const batch of batchesOf(source(), 3)) batches.push(batch);
    expect(batches).toEqual([[1, 2, 3], [4, 5], [6]]);
  });
});
