const IDLE = Symbol('idle');

const endOfTurn = () => new Promise<typeof IDLE>((resolve) => setImmediate(() => resolve(IDLE)));

/**
 * Groups what an async source (a `readAll` or a subscription) has ready into batches of at most
 * `max`: waits for the first item, then takes what the source yields before the event loop's
 * current turn ends. A catch-up read gives one batch per page; an event that arrives alone is
 * passed on at once.
 */
export async function* batchesOf<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  for (;;) {
    const first = await next;
    if (first.done === true) return;
    const batch = [first.value];
    next = iterator.next();
    const turnEnds = endOfTurn();
    while (batch.length < max) {
      const ready = await Promise.race([next, turnEnds]);
      if (ready === IDLE || ready.done === true) break;
      batch.push(ready.value);
      next = iterator.next();
    }
    yield batch;
  }
}
