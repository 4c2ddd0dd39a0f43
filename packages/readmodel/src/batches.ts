const IDLE = Symbol('idle');

const endOfTurn = () => new Promise<typeof IDLE>((resolve) => setImmediate(() => resolve(IDLE)));

/**
 * Groups an async source's items into batches of at most `maxSize`: a batch takes what the
 * source yields before the event loop's current turn ends, so a store reading a page of events
 * gives one batch per page, and an event that arrives alone is passed on at once. Ending the
 * source is the caller's business.
 */
export async function* batches<T>(source: AsyncIterable<T>, maxSize: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  for (;;) {
    const first = await next;
    if (first.done === true) return;
    const batch = [first.value];
    next = iterator.next();
    const turnEnds = endOfTurn();
    while (batch.length < maxSize) {
      const ready = await Promise.race([next, turnEnds]);
      if (ready === IDLE || ready.done === true) break;
      batch.push(ready.value);
      next = iterator.next();
    }
    yield batch;
  }
}
