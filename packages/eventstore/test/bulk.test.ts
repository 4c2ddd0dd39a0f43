import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent, SqliteEventStore } from '../src/index.js';
import { DuplicateEventIdError } from '../src/index.js';
import { interleaved, readAllOf, record, scratchStores } from './logs.js';

const freshStore = scratchStores('bulk');

async function groups(store: SqliteEventStore, prefix: string, options?: { after?: string; pageSize?: number }): Promise<RecordedEvent[][]> {
  const found: RecordedEvent[][] = [];
  for await (const group of store.readStreamsInOrder(prefix, options)) found.push(group);
  return found;
}

const summary = (found: RecordedEvent[][]) => found.map((group) => [group[0]?.stream, group.map((e) => Number(e.revision))]);
const revisionsUpTo = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('SqliteEventStore.importEvents', () => {
  it('stores the records in order, each as the next revision of its stream, as readAll and readStream then read them', async () => {
    const store = freshStore();
    const records = interleaved({ 'ticket-a': 3, 'ticket-b': 2, 'ticket-c': 4 });

    const result = store.importEvents(records, { batchSize: 4 });

    const all = await readAllOf(store);
    expect(all.map((e) => e.id)).toEqual(records.map((r) => r.event.id));
    expect(all.map((e) => e.recordedAt)).toEqual(records.map((r) => r.recordedAt));
    expect(all.map((e) => e.data)).toEqual(records.map((r) => r.event.data));
    const positions = all.map((e) => Number(e.position));
    expect(positions.every((p, i) => i === 0 || p > (positions[i - 1] as number))).toBe(true);
    expect(result).toEqual({ events: 9, lastPosition: all.at(-1)?.position });
    expect(store.lastPosition()).toBe(result.lastPosition);
    for (const [stream, n] of [['ticket-a', 3], ['ticket-b', 2], ['ticket-c', 4]] as const) {
      const read = await store.readStream(stream);
      expect(read.map((e) => Number(e.revision))).toEqual(revisionsUpTo(n));
      expect(read.map((e) => e.id)).toEqual(records.filter((r) => r.stream === stream).map((r) => r.event.id));
      expect(read).toEqual(all.filter((e) => e.stream === stream));
    }
  });

  it('continues streams that already hold events, and appends with expected revisions go on from there', async () => {
    const store = freshStore();
    await store.appendToStream('ticket-a', [record('ticket-a', 0).event, record('ticket-a', 1).event], 'no_stream');

    store.importEvents([record('ticket-a', 2), record('ticket-new', 3), record('ticket-a', 4)], { batchSize: 2 });

    expect((await store.readStream('ticket-a')).map((e) => Number(e.revision))).toEqual([0, 1, 2, 3]);
    expect((await store.readStream('ticket-new')).map((e) => Number(e.revision))).toEqual([0]);
    const appended = await store.appendToStream('ticket-a', [record('ticket-a', 5).event], 3n);
    expect(appended.nextExpectedRevision).toBe(4n);
  });

  it('refuses a batch holding an id that is already stored, storing nothing of it (earlier batches stay)', async () => {
    const store = freshStore();
    const first = store.importEvents([record('ticket-a', 0, 'id-1'), record('ticket-a', 1, 'id-2')]);

    const again = [record('ticket-b', 2), record('ticket-b', 3), record('ticket-b', 4), record('ticket-c', 5, 'id-2')];
    let refusal: unknown;
    try {
      store.importEvents(again, { batchSize: 2 });
    } catch (error) {
      refusal = error;
    }

    expect(refusal).toBeInstanceOf(DuplicateEventIdError);
    expect(refusal).toMatchObject({ id: 'id-2', stream: 'ticket-c', batchSize: 2 });
    expect((refusal as Error).message).toMatch(/already stored.*stored none of them/);
    const all = await readAllOf(store);
    expect(all.map((e) => e.id)).toEqual(['id-1', 'id-2', again[0]?.event.id, again[1]?.event.id]);
    expect(await store.readStream('ticket-c')).toEqual([]);
    expect(store.lastPosition()).toBe(all.at(-1)?.position);
    expect(first.events).toBe(2);
  });

  it('refuses an id repeated within one batch, storing nothing of it', () => {
    const store = freshStore();
    expect(() => store.importEvents([record('ticket-a', 0, 'same'), record('ticket-b', 1, 'same')])).toThrow(DuplicateEventIdError);
    expect(store.lastPosition()).toBeUndefined();
  });

  it('refuses a recordedAt that is not an ISO instant in UTC, and a batch size that is not a positive whole number, storing nothing', async () => {
    const store = freshStore();
    const offset = { ...record('ticket-a', 1), recordedAt: '2026-01-05T10:00:00+01:00' };
    expect(() => store.importEvents([record('ticket-a', 0), offset])).toThrow(/recordedAt must be an ISO instant in UTC/);
    expect(() => store.importEvents([record('ticket-a', 0)], { batchSize: 0 })).toThrow(/batchSize must be a positive whole number/);
    expect(() => store.importEvents([record('ticket-a', 0)], { batchSize: 2.5 })).toThrow(RangeError);
    expect(await readAllOf(store)).toEqual([]);
  });

  it('imports nothing from nothing', () => {
    const store = freshStore();
    expect(store.importEvents([])).toEqual({ events: 0, lastPosition: undefined });
    expect(store.lastPosition()).toBeUndefined();
  });

  it("wakes the file's subscribers in this process at once, like an append", async () => {
    const store = freshStore();
    // The poll interval is a minute: only the wake-up can deliver within the test.
    const subscription = store.subscribeToAll();
    const received: string[] = [];
    const reading = (async () => {
      for await (const event of subscription) {
        received.push(event.id);
        if (received.length === 3) break;
      }
    })();
    await new Promise((next) => setImmediate(next));

    const records = interleaved({ 'ticket-a': 2, 'ticket-b': 1 });
    store.importEvents(records, { batchSize: 2 });
    await reading;

    expect(received).toEqual(records.map((r) => r.event.id));
  });
});

describe('SqliteEventStore.readStreamsInOrder', () => {
  const counts = { 'ticket-d': 7, 'ticket-a': 1, 'ticket-c': 5, 'ticket-b': 2, 'other-x': 3, tickets: 2 };

  it('gives each stream of the prefix whole, in revision order, streams in name order, across page boundaries', async () => {
    const store = freshStore();
    store.importEvents(interleaved(counts));

    for (const pageSize of [1, 2, 3, 5000]) {
      const found = await groups(store, 'ticket-', { pageSize });
      expect(summary(found)).toEqual([
        ['ticket-a', revisionsUpTo(1)],
        ['ticket-b', revisionsUpTo(2)],
        ['ticket-c', revisionsUpTo(5)],
        ['ticket-d', revisionsUpTo(7)],
      ]);
      for (const group of found) expect(group).toEqual(await store.readStream(group[0]?.stream as string));
    }
  });

  it('resumes after a stream name, exclusively, whether or not that stream exists', async () => {
    const store = freshStore();
    store.importEvents(interleaved(counts));

    expect(summary(await groups(store, 'ticket-', { after: 'ticket-b', pageSize: 2 })).map(([s]) => s)).toEqual(['ticket-c', 'ticket-d']);
    expect(summary(await groups(store, 'ticket-', { after: 'ticket-bb' })).map(([s]) => s)).toEqual(['ticket-c', 'ticket-d']);
    expect(summary(await groups(store, 'ticket-', { after: 'ticket-d' }))).toEqual([]);
    // A name before the prefix's first stream resumes nothing: every stream of the prefix comes.
    expect(summary(await groups(store, 'ticket-', { after: 'a' })).map(([s]) => s)).toEqual(['ticket-a', 'ticket-b', 'ticket-c', 'ticket-d']);
  });

  it('gives nothing for a prefix no stream has, and every stream for the empty prefix', async () => {
    const store = freshStore();
    store.importEvents(interleaved(counts));

    expect(await groups(store, 'zzz')).toEqual([]);
    expect(await groups(store, 'ticket-e')).toEqual([]);
    expect(summary(await groups(store, '', { pageSize: 4 })).map(([s]) => s)).toEqual([
      'other-x',
      'ticket-a',
      'ticket-b',
      'ticket-c',
      'ticket-d',
      'tickets',
    ]);
  });

  it('refuses a page size that is not a positive whole number', async () => {
    const store = freshStore();
    await expect(groups(store, 'ticket-', { pageSize: 0 })).rejects.toThrow(/pageSize must be a positive whole number/);
  });
});
