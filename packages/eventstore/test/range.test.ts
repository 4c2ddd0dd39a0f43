/**
 * readRange and splitStreams: the reads a fold that splits a prefix's streams between threads
 * makes, each thread one range of stream names. Stream names compare as SQLite stores them (UTF-8
 * bytes), which is not always JavaScript's (UTF-16) order, so the expectations here compare bytes.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { RangeReadOptions, RecordedEvent, SqliteEventStore, StoredEventRow, StreamRange } from '../src/index.js';
import { interleaved, readAllOf, record, scratchStores } from './logs.js';

const freshStore = scratchStores('range');
const PREFIX = 'ticket-';

/** An event as readRange gives it, put back as the RecordedEvent it stands for, less the instant it was recorded, which rows leave out. */
type ReadEvent = Omit<RecordedEvent, 'recordedAt'>;
const eventOf = ([stream, revision, position, id, type, data, metadata]: StoredEventRow): ReadEvent => ({
  id,
  stream,
  type,
  revision: BigInt(revision),
  position: String(position),
  data: JSON.parse(data) as Record<string, unknown>,
  metadata: JSON.parse(metadata) as Record<string, unknown>,
});
const unrecorded = ({ recordedAt: _recordedAt, ...event }: RecordedEvent): ReadEvent => event;

async function pagesOf(store: SqliteEventStore, range: StreamRange, options?: RangeReadOptions): Promise<ReadEvent[][]> {
  const pages: ReadEvent[][] = [];
  for await (const page of store.readRange(range, options)) pages.push(page.map(eventOf));
  return pages;
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const inRange = (stream: string, { from, before }: StreamRange) => byBytes(from, stream) <= 0 && byBytes(stream, before) < 0;
const idsOf = (events: readonly ReadEvent[]) => events.map((e) => e.id);
const streamsOf = (events: readonly ReadEvent[]) => [...new Set(events.map((e) => e.stream))].sort(byBytes);
const byPosition = (events: readonly ReadEvent[]) => [...events].sort((a, b) => Number(a.position) - Number(b.position));

/**
 * How a well-formed split looks, whatever the log: starts at the prefix, contiguous, no range of no
 * names, each stream of the prefix in exactly one range (so never split), no other stream in any.
 */
function expectWellFormedSplit(ranges: readonly StreamRange[], parts: number, streams: readonly string[]): void {
  expect(ranges.length).toBeGreaterThanOrEqual(1);
  expect(ranges.length).toBeLessThanOrEqual(parts);
  expect(ranges[0]?.from).toBe(PREFIX);
  ranges.slice(1).forEach((range, i) => expect(range.from).toBe(ranges[i]?.before));
  for (const range of ranges) expect([range, byBytes(range.from, range.before) < 0]).toEqual([range, true]);
  for (const stream of streams) {
    const holders = ranges.filter((range) => inRange(stream, range)).length;
    expect([stream, holders]).toEqual([stream, stream.startsWith(PREFIX) ? 1 : 0]);
  }
}

/**
 * The partition property: reading every range of the split gives the prefix's events of readAll,
 * each exactly once; each range gives its streams' events in log order, so the concatenation over
 * the ranges is readAll's prefix events grouped by range, in range order.
 */
async function expectPartition(store: SqliteEventStore, ranges: readonly StreamRange[], pageSize: number): Promise<void> {
  const all = await readAllOf(store);
  const perRange: ReadEvent[][] = [];
  for (const range of ranges) perRange.push((await pagesOf(store, range, { pageSize })).flat());
  const concatenated = perRange.flat();
  expect(idsOf(concatenated)).toEqual(idsOf(ranges.flatMap((range) => all.filter((e) => inRange(e.stream, range)))));
  expect(idsOf(byPosition(concatenated))).toEqual(idsOf(all.filter((e) => e.stream.startsWith(PREFIX))));
  expect(concatenated).toEqual(ranges.flatMap((range) => all.filter((e) => inRange(e.stream, range)).map(unrecorded)));
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but it resolved');
}

function thrownBy(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw, but it returned');
}

describe('SqliteEventStore.readRange', () => {
  const counts = { 'ticket-a': 2, 'ticket-b': 4, 'ticket-c': 3, 'ticket-d': 2, tickets: 1, other: 2 };

  it('yields only the streams from `from` (included) to `before` (excluded), in log order', async () => {
    const store = freshStore();
    store.importEvents(interleaved(counts));
    const all = await readAllOf(store);

    const range = { from: 'ticket-b', before: 'ticket-d' };
    const read = (await pagesOf(store, range)).flat();

    expect(streamsOf(read)).toEqual(['ticket-b', 'ticket-c']);
    expect(idsOf(read)).toEqual(idsOf(all.filter((e) => e.stream === 'ticket-b' || e.stream === 'ticket-c')));
    expect(read).toEqual(all.filter((e) => inRange(e.stream, range)).map(unrecorded));
  });

  it('orders names by UTF-8 bytes as SQLite does, not by JavaScript string order', async () => {
    const store = freshStore();
    store.importEvents(interleaved({ 'ticket-z': 1, 'ticket-é': 2, 'ticket-Ａ': 2, 'ticket-😀': 2 }));
    const all = await readAllOf(store);
    // Given: U+FF21 (Ａ) sorts after the emoji in UTF-16, before it in UTF-8.
    expect('ticket-😀' < 'ticket-Ａ').toBe(true);
    expect(byBytes('ticket-Ａ', 'ticket-😀')).toBeLessThan(0);

    const accented = (await pagesOf(store, { from: 'ticket-é', before: 'ticket-😀' })).flat();
    const ascii = (await pagesOf(store, { from: 'ticket-z', before: 'ticket-é' })).flat();
    const emoji = (await pagesOf(store, { from: 'ticket-😀', before: 'ticket-😀\u0000' })).flat();

    expect(streamsOf(accented)).toEqual(['ticket-é', 'ticket-Ａ']);
    expect(idsOf(accented)).toEqual(idsOf(all.filter((e) => e.stream === 'ticket-é' || e.stream === 'ticket-Ａ')));
    expect(streamsOf(ascii)).toEqual(['ticket-z']);
    expect(streamsOf(emoji)).toEqual(['ticket-😀']);
    expect(emoji).toHaveLength(2);
  });

  it('yields pages of pageSize events of the range, the last one shorter, and no empty page after a full one', async () => {
    const store = freshStore();
    store.importEvents(interleaved(counts));
    const seven = { from: 'ticket-b', before: 'ticket-d' };
    const four = { from: 'ticket-b', before: 'ticket-c' };

    const sizesOfSeven = (await pagesOf(store, seven, { pageSize: 3 })).map((page) => page.length);
    const sizesOfFour = (await pagesOf(store, four, { pageSize: 2 })).map((page) => page.length);
    const oneByOne = await pagesOf(store, seven, { pageSize: 1 });

    expect(sizesOfSeven).toEqual([3, 3, 1]);
    expect(sizesOfFour).toEqual([2, 2]);
    expect(oneByOne.flat()).toEqual((await pagesOf(store, seven)).flat());
    expect(oneByOne.map((page) => page.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('resumes after `after` and stops at `until`, inclusive, across pages', async () => {
    const store = freshStore();
    store.importEvents(interleaved(counts));
    const range = { from: 'ticket-b', before: 'ticket-d' };
    const inside = (await pagesOf(store, range)).flat();
    const positionAt = (i: number) => inside[i]?.position as string;
    // Given: events of other streams lie between the range's 4th and 5th events (ticket-d and other, round two).
    const outsideBetween = (await readAllOf(store)).find(
      (e) => Number(e.position) > Number(positionAt(3)) && Number(e.position) < Number(positionAt(4)),
    );
    expect(outsideBetween).toBeDefined();

    const middle = await pagesOf(store, range, { after: positionAt(0), until: positionAt(3), pageSize: 2 });
    const toOutside = (await pagesOf(store, range, { after: positionAt(0), until: outsideBetween?.position })).flat();
    const rest = (await pagesOf(store, range, { after: outsideBetween?.position })).flat();
    const upTo = (await pagesOf(store, range, { until: positionAt(0) })).flat();

    expect(middle.map((page) => page.length)).toEqual([2, 1]);
    expect(idsOf(middle.flat())).toEqual(idsOf(inside.slice(1, 4)));
    expect(idsOf(toOutside)).toEqual(idsOf(inside.slice(1, 4)));
    expect(idsOf(rest)).toEqual(idsOf(inside.slice(4)));
    expect(idsOf(upTo)).toEqual(idsOf(inside.slice(0, 1)));
    expect(await pagesOf(store, range, { after: positionAt(3), until: positionAt(3) })).toEqual([]);
    expect(await pagesOf(store, range, { after: store.lastPosition() })).toEqual([]);
  });

  it('yields nothing for an empty range, a range no stream falls in, or an empty log', async () => {
    const store = freshStore();
    store.importEvents(interleaved(counts));

    expect(await pagesOf(store, { from: 'ticket-c', before: 'ticket-c' })).toEqual([]);
    expect(await pagesOf(store, { from: 'ticket-d', before: 'ticket-b' })).toEqual([]);
    expect(await pagesOf(store, { from: 'ticket-e', before: 'ticket-z' })).toEqual([]);
    expect(await pagesOf(freshStore(), { from: '', before: '\u{10ffff}' })).toEqual([]);
  });

  it('over the ranges splitStreams returns, reads the prefix’s events of readAll exactly once each', async () => {
    const store = freshStore();
    const streams = ['ticket-', 'ticket-a', 'ticket-b', 'ticket-c', 'ticket-é', 'ticket-😀', 'ticket', 'tickets', 'ticket.', 'other'];
    store.importEvents(interleaved(Object.fromEntries(streams.map((stream, i) => [stream, 1 + ((i * 3) % 5)]))));

    for (const parts of [1, 2, 3, 4, 7, 20]) {
      const ranges = store.splitStreams(PREFIX, parts);
      expectWellFormedSplit(ranges, parts, streams);
      await expectPartition(store, ranges, 2);
    }
  });

  it('partitions any interleaved log, for any number of parts and page size (property)', async () => {
    const names = ['ticket-', 'ticket-a', 'ticket-ab', 'ticket-b', 'ticket-é', 'ticket-Ａ', 'ticket-😀', 'ticket', 'tickets', 'ticket.', 'other'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...names), { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 7 }),
        async (log, parts, pageSize) => {
          const store = freshStore();
          try {
            store.importEvents(log.map((stream, i) => record(stream, i)));
            const ranges = store.splitStreams(PREFIX, parts);
            expectWellFormedSplit(ranges, parts, names);
            await expectPartition(store, ranges, pageSize);
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('SqliteEventStore.splitStreams', () => {
  const eventsIn = async (store: SqliteEventStore, range: StreamRange) => (await pagesOf(store, range)).flat();

  it('covers exactly the prefix’s streams with contiguous ranges, at most `parts` of them, never splitting a stream', async () => {
    const store = freshStore();
    const sizes = { 'ticket-': 2, 'ticket-a': 1, 'ticket-b': 9, 'ticket-c': 1, 'ticket-d': 3, 'ticket-é': 2, ticket: 4, 'ticket.': 2, tickets: 3, other: 5 };
    store.importEvents(interleaved(sizes));

    for (const parts of [1, 2, 3, 5, 8, 50]) {
      const ranges = store.splitStreams(PREFIX, parts);

      expectWellFormedSplit(ranges, parts, Object.keys(sizes));
      const perRange = await Promise.all(ranges.map((range) => eventsIn(store, range)));
      for (const [stream, size] of Object.entries(sizes).filter(([name]) => name.startsWith(PREFIX))) {
        const holding = perRange.map((events) => events.filter((e) => e.stream === stream).length).filter((n) => n > 0);
        expect([stream, holding]).toEqual([stream, [size]]);
      }
      expect(perRange.flat().filter((e) => !e.stream.startsWith(PREFIX))).toEqual([]);
    }
  });

  it('balances equal streams by event count: 40 streams of 5 events into 4 parts of 10 streams each', async () => {
    const store = freshStore();
    const names = Array.from({ length: 40 }, (_, i) => `${PREFIX}${String(i).padStart(2, '0')}`);
    store.importEvents(interleaved(Object.fromEntries([...names.map((name) => [name, 5]), ['other', 30], ['tickets', 30]])));

    const ranges = store.splitStreams(PREFIX, 4);

    expect(ranges.map((range) => range.from)).toEqual([PREFIX, 'ticket-10', 'ticket-20', 'ticket-30']);
    // Given the count a caller already has, the same split without counting again.
    expect(store.splitStreams(PREFIX, 4, store.countStreamEvents(PREFIX))).toEqual(ranges);
    const perRange = await Promise.all(ranges.map((range) => eventsIn(store, range)));
    expect(perRange.map((events) => events.length)).toEqual([50, 50, 50, 50]);
    expect(perRange.map((events) => streamsOf(events))).toEqual([0, 1, 2, 3].map((part) => names.slice(part * 10, part * 10 + 10)));
  });

  it('gives one range over the whole prefix when parts is 1', async () => {
    const store = freshStore();
    store.importEvents(interleaved({ 'ticket-a': 3, 'ticket-b': 1, 'ticket-😀': 2, tickets: 2 }));

    const ranges = store.splitStreams(PREFIX, 1);

    expect(ranges).toHaveLength(1);
    expect(ranges[0]?.from).toBe(PREFIX);
    expect(streamsOf(await eventsIn(store, ranges[0] as StreamRange))).toEqual(['ticket-a', 'ticket-b', 'ticket-😀']);
  });

  it('gives one range over the whole prefix on an empty log, holding any name of the prefix and no other', () => {
    const store = freshStore();

    const ranges = store.splitStreams(PREFIX, 4);

    expect(ranges).toHaveLength(1);
    const [only] = ranges as [StreamRange];
    expect(only.from).toBe(PREFIX);
    for (const name of [PREFIX, 'ticket-a', 'ticket-zzz', 'ticket-😀', `${PREFIX}\u{10ffff}`]) expect([name, inRange(name, only)]).toEqual([name, true]);
    for (const name of ['ticket', 'ticket.', 'tickets', 'other', '']) expect([name, inRange(name, only)]).toEqual([name, false]);
  });

  // A split that falls inside a stream moves to the next stream's start: whole streams, and no range empty.
  it('leaves no range empty while the prefix holds events, when a split falls inside a stream', async () => {
    const store = freshStore();
    store.importEvents(interleaved({ 'ticket-a': 4, 'ticket-b': 1, 'ticket-c': 1, 'ticket-d': 1 }));

    const eventCounts = async (parts: number) =>
      Promise.all(store.splitStreams(PREFIX, parts).map(async (range) => (await eventsIn(store, range)).length));

    // Two parts: the offset 3 is inside ticket-a (4 of the 7 events), so the split moves to ticket-b.
    expect(await eventCounts(2)).toEqual([4, 3]);
    // More parts than events: the first offsets all fall inside the first stream.
    expect(await eventCounts(10)).not.toContain(0);
  });
});

describe('SqliteEventStore.countStreamEvents', () => {
  it('counts the events of the prefix’s streams only, up to a position when given one', async () => {
    const store = freshStore();
    const sizes = { 'ticket-': 2, 'ticket-a': 3, 'ticket-é': 2, ticket: 4, 'ticket.': 2, tickets: 3, other: 5 };
    store.importEvents(interleaved(sizes));
    const all = await readAllOf(store);
    const middle = all[Math.floor(all.length / 2)] as RecordedEvent;
    const prefixEventsUpTo = (position: number) => all.filter((e) => e.stream.startsWith(PREFIX) && Number(e.position) <= position).length;

    expect(store.countStreamEvents(PREFIX)).toBe(7);
    expect(store.countStreamEvents(PREFIX, middle.position)).toBe(prefixEventsUpTo(Number(middle.position)));
    expect(store.countStreamEvents(PREFIX, middle.position)).toBeLessThan(7);
    expect(store.countStreamEvents('nothing-')).toBe(0);
    expect(() => store.countStreamEvents(PREFIX, 'x1')).toThrow('not a SQLite event store position: x1');
  });
});

describe('SqliteEventStore.countInStreams', () => {
  it('counts every event of the streams named, whole, and of no other', () => {
    const store = freshStore();
    store.importEvents(interleaved({ 'ticket-a': 3, 'ticket-é': 2, 'ticket-😀': 4, other: 5 }));

    expect(store.countInStreams(['ticket-a', 'ticket-😀'])).toBe(7);
    expect(store.countInStreams(['ticket-é', 'other', 'ticket-é'])).toBe(7);
    expect(store.countInStreams(['ticket-', 'ticket-ab', 'nothing'])).toBe(0);
    expect(store.countInStreams([])).toBe(0);
  });
});

describe('SqliteEventStore.streamRowsBefore', () => {
  it("gives a stream's events below a revision, in order, as the rows readRange gives", async () => {
    // Given a log whose streams interleave...
    const store = freshStore();
    store.importEvents(interleaved({ 'ticket-a': 3, 'ticket-b': 5, other: 2 }));
    const all = await readAllOf(store);
    const streamB = all.filter((e) => e.stream === 'ticket-b').map(unrecorded);

    // ...then below revision 3 of ticket-b come its first three events and nothing of any other stream.
    expect(store.streamRowsBefore('ticket-b', 3).map(eventOf)).toEqual(streamB.slice(0, 3));
    // A row of it is the row readRange gives for that event, as it comes.
    const ranged: StoredEventRow[] = [];
    for await (const page of store.readRange({ from: 'ticket-b', before: 'ticket-c' })) ranged.push(...page);
    expect(store.streamRowsBefore('ticket-b', 1)).toEqual(ranged.slice(0, 1));
    // Below 0, or of a stream with no events, there is none; past the end, every event of the stream.
    expect(store.streamRowsBefore('ticket-b', 0)).toEqual([]);
    expect(store.streamRowsBefore('ticket-z', 10)).toEqual([]);
    expect(store.streamRowsBefore('ticket-b', 99).map(eventOf)).toEqual(streamB);
  });

  it('refuses a revision that is not a whole number', () => {
    const store = freshStore();
    store.importEvents(interleaved({ 'ticket-a': 2 }));
    for (const revision of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => store.streamRowsBefore('ticket-a', revision)).toThrow(`a stream revision is a whole number, not ${revision}`);
    }
  });
});

describe('bad input to readRange and splitStreams', () => {
  it('refuses parts that are not a positive whole number, a zero page size and a malformed position, writing nothing', async () => {
    const store = freshStore();
    store.importEvents(interleaved({ 'ticket-a': 2, 'ticket-b': 3, other: 1 }));
    const before = await readAllOf(store);
    const lastBefore = store.lastPosition();
    const range = { from: PREFIX, before: 'ticket.' };

    for (const parts of [0, -1, 1.5, Number.NaN]) {
      const error = thrownBy(() => store.splitStreams(PREFIX, parts));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toMatch(/\bparts\b/);
    }
    const zeroPage = await rejectionOf(pagesOf(store, range, { pageSize: 0 }));
    const badAfter = await rejectionOf(pagesOf(store, range, { after: 'abc' }));
    const badUntil = await rejectionOf(pagesOf(store, range, { until: 'abc' }));

    expect(zeroPage).toBeInstanceOf(RangeError);
    expect(zeroPage.message).toMatch(/\bpageSize\b/);
    expect(badAfter).toBeInstanceOf(TypeError);
    expect(badAfter.message).toMatch(/abc/);
    expect(badUntil).toBeInstanceOf(TypeError);
    expect(await readAllOf(store)).toEqual(before);
    expect(store.lastPosition()).toBe(lastBefore);
    expect(store.countAfter()).toBe(6);
  });
});
