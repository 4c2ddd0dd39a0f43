/**
 * The contract every EventStore adapter passes. An adapter's test file calls
 * `describeEventStoreContract(name, openStore)` once. `openStore` is called more than once (one
 * store serves most tests, another is opened to be closed); the stores need not share data.
 *
 * The EventStoreDB run targets a shared server that may hold anything, and may be written to by
 * others while this runs. So every test works on streams (and event types) of its own, named with
 * a random suffix, and looks at the global log only after a position it obtained itself or through
 * a filter that keeps just its own streams.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WrongExpectedRevisionError } from '../src/port.js';
import type { EventStore, EventToAppend, ExpectedRevision, Position, RecordedEvent } from '../src/port.js';

/** Long enough for a remote server under load, short enough to fail well inside jest's timeout. */
const WAIT_MS = 10_000;

const unique = (prefix: string): string => `${prefix}-${randomUUID()}`;

function newEvent(type = 'TicketNoted', data: Record<string, unknown> = {}, metadata?: Record<string, unknown>): EventToAppend {
  return { id: randomUUID(), type, data, ...(metadata === undefined ? {} : { metadata }) };
}

const ids = (events: readonly { id: string }[]): string[] => events.map((event) => event.id);

async function collect(events: AsyncIterable<RecordedEvent>, keep: (event: RecordedEvent) => boolean): Promise<RecordedEvent[]> {
  const kept: RecordedEvent[] = [];
  let seen = 0;
  for await (const event of events) {
    if (keep(event)) kept.push(event);
    // An adapter that yields from memory forever would never let jest's timeout fire.
    if (++seen % 256 === 0) await nextTurn();
  }
  return kept;
}

/** The error a promise rejects with; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

async function expectWrongRevision(
  promise: Promise<unknown>,
  stream: string,
  expected: ExpectedRevision,
  actual: bigint | 'no_stream',
): Promise<void> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect(error).toMatchObject({ stream, expected, actual });
}

function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), Math.max(ms, 0));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The next `count` events of a subscription that satisfy `where`, failing instead of hanging when
 * they do not all arrive in time. Pass `where` only to skip events of others (unfiltered
 * subscriptions on a shared log); an assertion about filtering must see everything delivered.
 */
export async function take(
  events: AsyncIterator<RecordedEvent>,
  count: number,
  where: (event: RecordedEvent) => boolean = () => true,
): Promise<RecordedEvent[]> {
  const taken: RecordedEvent[] = [];
  const deadline = Date.now() + WAIT_MS;
  while (taken.length < count) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms: received ${taken.length} of ${count} events`);
    const next = await within(events.next(), deadline - Date.now(), () => `received ${taken.length} of ${count} events`);
    if (next.done === true) throw new Error(`the subscription ended after ${taken.length} of ${count} events`);
    if (where(next.value)) taken.push(next.value);
    // Gives timers and I/O a turn even if the adapter delivers from memory without ever waiting.
    await nextTurn();
  }
  return taken;
}

export function describeEventStoreContract(adapterName: string, openStore: () => Promise<EventStore>): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    beforeAll(async () => {
      store = await openStore();
    });
    afterAll(async () => {
      await store.close();
    });

    const append = (stream: string, events: readonly EventToAppend[], expected: ExpectedRevision) =>
      store.appendToStream(stream, events, expected);
    /** This test's events recorded after `position`, in log order. */
    const ownEventsAfter = (position: Position, streams: readonly string[]) =>
      collect(store.readAll(position), (event) => streams.includes(event.stream));

    describe('appendToStream', () => {
      it('creates a stream with no_stream and reports revision 0n and a string position', async () => {
        const stream = unique('ticket');
        const event = newEvent('TicketOpened', { title: 'Printer on fire' });
        const result = await append(stream, [event], 'no_stream');
        expect(result.nextExpectedRevision).toBe(0n);
        expect(typeof result.position).toBe('string');

        const [recorded, ...rest] = await store.readStream(stream);
        expect(rest).toEqual([]);
        expect(recorded).toMatchObject({ id: event.id, stream, type: 'TicketOpened', revision: 0n, position: result.position });
      });

      it('reports the revision and position of the last event of a batch', async () => {
        const stream = unique('ticket');
        const result = await append(stream, [newEvent(), newEvent(), newEvent()], 'no_stream');
        expect(result.nextExpectedRevision).toBe(2n);
        const recorded = await store.readStream(stream);
        expect(recorded.map((event) => event.revision)).toEqual([0n, 1n, 2n]);
        expect(recorded[2]?.position).toBe(result.position);
      });

      it('rejects no_stream when the stream exists, with the actual revision, and appends nothing', async () => {
        const stream = unique('ticket');
        await append(stream, [newEvent()], 'no_stream');
        await expectWrongRevision(append(stream, [newEvent()], 'no_stream'), stream, 'no_stream', 0n);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('rejects exists when the stream is missing, with actual no_stream, and creates nothing', async () => {
        const stream = unique('ticket');
        await expectWrongRevision(append(stream, [newEvent()], 'exists'), stream, 'exists', 'no_stream');
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('appends with exists when the stream exists', async () => {
        const stream = unique('ticket');
        await append(stream, [newEvent()], 'no_stream');
        expect((await append(stream, [newEvent(), newEvent()], 'exists')).nextExpectedRevision).toBe(2n);
      });

      it('appends with any whether or not the stream exists', async () => {
        const stream = unique('ticket');
        expect((await append(stream, [newEvent()], 'any')).nextExpectedRevision).toBe(0n);
        expect((await append(stream, [newEvent()], 'any')).nextExpectedRevision).toBe(1n);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('appends when the expected revision is the last one, and rejects an older or a newer one', async () => {
        const stream = unique('ticket');
        await append(stream, [newEvent(), newEvent()], 'no_stream');
        await expectWrongRevision(append(stream, [newEvent()], 0n), stream, 0n, 1n);
        await expectWrongRevision(append(stream, [newEvent()], 5n), stream, 5n, 1n);
        expect((await append(stream, [newEvent()], 1n)).nextExpectedRevision).toBe(2n);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('rejects a revision for a missing stream, with actual no_stream', async () => {
        const stream = unique('ticket');
        await expectWrongRevision(append(stream, [newEvent()], 0n), stream, 0n, 'no_stream');
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('raises a WrongExpectedRevisionError that is an Error with a message', async () => {
        const stream = unique('ticket');
        await append(stream, [newEvent()], 'no_stream');
        const error = await rejectionOf(append(stream, [newEvent()], 3n));
        expect(error).toBeInstanceOf(Error);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect((error as Error).name).toBe('WrongExpectedRevisionError');
        expect((error as Error).message).toContain(stream);
      });

      it('rejects an empty batch as a usage error, whatever the expected revision', async () => {
        const stream = unique('ticket');
        for (const expected of ['no_stream', 'any', 'exists', 0n] as const) {
          const error = await rejectionOf(append(stream, [], expected));
          expect(error).toBeInstanceOf(Error);
          expect(error).not.toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(stream)).toEqual([]);
      });
    });

    describe('readStream', () => {
      it('returns the events in order, from fromRevision inclusive', async () => {
        const stream = unique('ticket');
        const first = [newEvent('A'), newEvent('B')];
        const second = [newEvent('C'), newEvent('D'), newEvent('E')];
        await append(stream, first, 'no_stream');
        await append(stream, second, 1n);
        const everything = [...first, ...second];

        const all = await store.readStream(stream);
        expect(ids(all)).toEqual(ids(everything));
        expect(all.map((event) => [event.stream, event.type, event.revision])).toEqual(
          everything.map((event, i) => [stream, event.type, BigInt(i)]),
        );
        expect(await store.readStream(stream, { fromRevision: 0n })).toEqual(all);
        expect(await store.readStream(stream, { fromRevision: 2n })).toEqual(all.slice(2));
        expect(await store.readStream(stream, { fromRevision: 4n })).toEqual(all.slice(4));
        expect(await store.readStream(stream, { fromRevision: 5n })).toEqual([]);
      });

      it('returns [] for a stream that does not exist', async () => {
        const stream = unique('never-written');
        expect(await store.readStream(stream)).toEqual([]);
        expect(await store.readStream(stream, { fromRevision: 3n })).toEqual([]);
      });
    });

    describe('readAll', () => {
      it('returns events across streams in append order, strictly after the given position', async () => {
        const a = unique('ticket');
        const b = unique('ticket');
        const marker = await append(a, [newEvent()], 'no_stream');
        const rb = await append(b, [newEvent(), newEvent()], 'no_stream');
        const ra = await append(a, [newEvent()], 0n);
        const rb2 = await append(b, [newEvent()], 1n);

        const own = await ownEventsAfter(marker.position, [a, b]);
        expect(own.map((event) => [event.stream, event.revision])).toEqual([
          [b, 0n],
          [b, 1n],
          [a, 1n],
          [b, 2n],
        ]);
        expect(own.map((event) => event.position).filter((_, i) => i !== 0)).toEqual([rb.position, ra.position, rb2.position]);
        // What readAll returns is what readStream returns, field for field.
        expect(own.filter((event) => event.stream === b)).toEqual(await store.readStream(b));
        expect(ids(await ownEventsAfter(rb.position, [a, b]))).toEqual(ids(own.slice(2)));
        expect(await ownEventsAfter(rb2.position, [a, b])).toEqual([]);
      });

      it('gives positions that order the log: reading after each one resumes right after its event', async () => {
        const a = unique('ticket');
        const b = unique('ticket');
        const marker = await append(a, [newEvent()], 'no_stream');
        await append(b, [newEvent()], 'no_stream');
        await append(a, [newEvent(), newEvent()], 0n);
        await append(b, [newEvent()], 0n);
        const own = await ownEventsAfter(marker.position, [a, b]);
        expect(own.map((event) => [event.stream, event.revision])).toEqual([
          [b, 0n],
          [a, 1n],
          [a, 2n],
          [b, 1n],
        ]);
        expect(new Set(own.map((event) => event.position)).size).toBe(own.length);
        for (const [i, event] of own.entries()) {
          expect(ids(await ownEventsAfter(event.position, [a, b]))).toEqual(ids(own.slice(i + 1)));
        }
      });

      it('starts at the beginning of the log when no position is given', async () => {
        const stream = unique('ticket');
        await append(stream, [newEvent(), newEvent()], 'no_stream');
        expect(await collect(store.readAll(), (event) => event.stream === stream)).toEqual(await store.readStream(stream));
      });

      it('can be left early', async () => {
        const stream = unique('ticket');
        const marker = await append(stream, [newEvent(), newEvent(), newEvent()], 'no_stream');
        await append(stream, [newEvent()], 2n);
        const readAll = store.readAll(marker.position);
        for await (const event of readAll) {
          expect(event.position).not.toBe(marker.position);
          break;
        }
        expect(ids(await ownEventsAfter(marker.position, [stream]))).toHaveLength(1);
      });
    });

    describe('idempotent retries', () => {
      it('returns the original result for the same ids, with the same or any expected revision, and records nothing twice', async () => {
        const marker = await append(unique('marker'), [newEvent()], 'no_stream');
        const stream = unique('ticket');
        const first = [newEvent(), newEvent()];
        const original = await append(stream, first, 'no_stream');
        expect(original.duplicate).toBeUndefined();
        expect(await append(stream, first, 'no_stream')).toEqual({ ...original, duplicate: true });
        expect(await append(stream, first, 'any')).toEqual({ ...original, duplicate: true });

        const second = [newEvent()];
        const next = await append(stream, second, 1n);
        expect(await append(stream, second, 1n)).toEqual({ ...next, duplicate: true });
        expect(await append(stream, second, 'any')).toEqual({ ...next, duplicate: true });
        expect(await append(stream, second, 'exists')).toEqual({ ...next, duplicate: true });

        expect(ids(await store.readStream(stream))).toEqual(ids([...first, ...second]));
        expect(ids(await ownEventsAfter(marker.position, [stream]))).toEqual(ids([...first, ...second]));
      });

      it('returns the original result for a retry made after the stream moved on', async () => {
        const stream = unique('ticket');
        const first = [newEvent(), newEvent()];
        const original = await append(stream, first, 'no_stream');
        await append(stream, [newEvent()], 1n);
        expect(await append(stream, first, 'no_stream')).toEqual({ ...original, duplicate: true });
        expect(await append(stream, first, 'any')).toEqual({ ...original, duplicate: true });
        expect(await store.readStream(stream)).toHaveLength(3);
      });
    });

    describe('concurrent appends', () => {
      it('lets exactly one of several appends with the same expected revision win', async () => {
        const stream = unique('ticket');
        await append(stream, [newEvent()], 'no_stream');
        const contenders = Array.from({ length: 8 }, () => newEvent());
        const outcomes = await Promise.allSettled(contenders.map((event) => append(stream, [event], 0n)));

        const won = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [{ event: contenders[i], result: outcome.value }] : []));
        expect(won).toHaveLength(1);
        expect(won[0]?.result.nextExpectedRevision).toBe(1n);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toBeInstanceOf(WrongExpectedRevisionError);
            expect(outcome.reason).toMatchObject({ stream, expected: 0n, actual: 1n });
          }
        }
        const recorded = await store.readStream(stream);
        expect(recorded).toHaveLength(2);
        expect(recorded[1]?.id).toBe(won[0]?.event?.id);
      });

      it('lets exactly one of several no_stream appends create the stream', async () => {
        const stream = unique('ticket');
        const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => append(stream, [newEvent(), newEvent()], 'no_stream')));
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toBeInstanceOf(WrongExpectedRevisionError);
            expect(outcome.reason).toMatchObject({ stream, expected: 'no_stream', actual: 1n });
          }
        }
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('event contents', () => {
      it('round-trips nested JSON data and metadata, unicode included', async () => {
        const stream = unique('ticket');
        const data = {
          title: 'Drucker druckt nicht — 打印机坏了 🖨️🔥',
          description: 'line one\nline two\t"quoted" \\ back\\slash \u0000 and \u2028',
          combining: 'e\u0301 vs \u00e9',
          astral: '𝄞 🧑🏽‍💻',
          'ключ with spaces & <symbols>': 'значение',
          numbers: { zero: 0, negative: -12, fraction: 0.1, maxSafe: Number.MAX_SAFE_INTEGER },
          flags: { yes: true, no: false, nothing: null },
          nested: { level1: { level2: { list: [1, 'two', { three: [3] }, []], empty: {} } } },
          emptyString: '',
        };
        const metadata = { correlationId: randomUUID(), actor: { id: 'agent-7', name: 'Zoë Ångström 🙂' }, tags: ['vip', 'eu'] };
        const withMetadata = newEvent('TicketOpened', data, metadata);
        const withoutMetadata = newEvent('TicketNoted', { note: 'ok' });
        const before = await append(unique('marker'), [newEvent()], 'no_stream');
        const result = await append(stream, [withMetadata, withoutMetadata], 'no_stream');

        const fromStream = await store.readStream(stream);
        expect(fromStream.map((event) => [event.data, event.metadata])).toEqual([
          [data, metadata],
          [{ note: 'ok' }, {}],
        ]);
        for (const event of fromStream) {
          expect(event.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
          expect(Math.abs(Date.parse(event.recordedAt) - Date.now())).toBeLessThan(24 * 60 * 60 * 1000);
        }
        expect(await ownEventsAfter(before.position, [stream])).toEqual(fromStream);
        expect(fromStream[1]?.position).toBe(result.position);
      });
    });

    describe('subscribeToAll', () => {
      it('catches up from a checkpoint (exclusive), then delivers events appended later', async () => {
        const prefix = unique('sub');
        const stream = `${prefix}-ticket`;
        const checkpoint = await append(stream, [newEvent()], 'no_stream');
        await append(stream, [newEvent(), newEvent()], 0n);

        const subscription = store.subscribeToAll(checkpoint.position, { streamPrefix: prefix });
        try {
          const events = subscription[Symbol.asyncIterator]();
          expect(await take(events, 2)).toEqual((await store.readStream(stream)).slice(1));

          const pending = take(events, 1);
          // Let the subscription reach the end of the log and wait there, so this one arrives live.
          await sleep(200);
          await append(stream, [newEvent('Live')], 2n);
          expect(await pending).toEqual(await store.readStream(stream, { fromRevision: 3n }));
        } finally {
          await subscription.close();
        }
      });

      it('without a filter, delivers every event after the checkpoint in log order', async () => {
        const a = unique('ticket');
        const b = unique('ticket');
        const checkpoint = await append(a, [newEvent()], 'no_stream');
        const subscription = store.subscribeToAll(checkpoint.position);
        try {
          const b0 = newEvent();
          const a1 = newEvent();
          await append(b, [b0], 'no_stream');
          await append(a, [a1], 0n);
          const events = subscription[Symbol.asyncIterator]();
          const own = (event: RecordedEvent) => event.stream === a || event.stream === b;
          expect(ids(await take(events, 2, own))).toEqual(ids([b0, a1]));
          const b1 = newEvent();
          await append(b, [b1], 0n);
          expect(ids(await take(events, 1, own))).toEqual(ids([b1]));
        } finally {
          await subscription.close();
        }
      });

      it('starts at the beginning of the log when no checkpoint is given', async () => {
        const prefix = unique('sub');
        const stream = `${prefix}-ticket`;
        await append(stream, [newEvent(), newEvent()], 'no_stream');
        const subscription = store.subscribeToAll(undefined, { streamPrefix: prefix });
        try {
          expect(await take(subscription[Symbol.asyncIterator](), 2)).toEqual(await store.readStream(stream));
        } finally {
          await subscription.close();
        }
      });

      it('delivers only streams that start with streamPrefix', async () => {
        const prefix = unique('tenant');
        const inside = `${prefix}-ticket-1`;
        const alsoInside = `${prefix}-ticket-2`;
        const outside = `other-${prefix}`;
        const checkpoint = await append(unique('marker'), [newEvent()], 'no_stream');
        await append(outside, [newEvent()], 'no_stream');
        await append(inside, [newEvent()], 'no_stream');
        await append(outside, [newEvent()], 0n);
        await append(alsoInside, [newEvent()], 'no_stream');

        const subscription = store.subscribeToAll(checkpoint.position, { streamPrefix: prefix });
        try {
          const events = subscription[Symbol.asyncIterator]();
          expect((await take(events, 2)).map((event) => event.stream)).toEqual([inside, alsoInside]);
          await append(outside, [newEvent()], 1n);
          const sentinel = newEvent();
          await append(inside, [sentinel], 0n);
          // Had the outside event leaked, it would arrive before the sentinel.
          expect(ids(await take(events, 1))).toEqual(ids([sentinel]));
        } finally {
          await subscription.close();
        }
      });

      it('delivers only the listed eventTypes, matched exactly', async () => {
        const suffix = randomUUID();
        const opened = `Opened_${suffix}`;
        const closed = `Closed.v2_${suffix}`;
        const lookalike = `Closedxv2_${suffix}`;
        const stream = unique('ticket');
        const checkpoint = await append(stream, [newEvent(opened)], 'no_stream');
        await append(stream, [newEvent(`Noted_${suffix}`), newEvent(closed), newEvent(lookalike), newEvent(`${opened}_later`)], 0n);
        await append(unique('ticket'), [newEvent(closed)], 'no_stream');

        const subscription = store.subscribeToAll(checkpoint.position, { eventTypes: [opened, closed] });
        try {
          const events = subscription[Symbol.asyncIterator]();
          expect((await take(events, 2)).map((event) => event.type)).toEqual([closed, closed]);
          const sentinel = newEvent(opened);
          await append(stream, [newEvent(lookalike), sentinel], 4n);
          expect(ids(await take(events, 1))).toEqual(ids([sentinel]));
        } finally {
          await subscription.close();
        }
      });

      it('applies streamPrefix and eventTypes together', async () => {
        const prefix = unique('tenant');
        const wanted = `Wanted_${randomUUID()}`;
        const inside = `${prefix}-ticket`;
        const checkpoint = await append(inside, [newEvent(wanted)], 'no_stream');
        const match = newEvent(wanted);
        await append(unique('elsewhere'), [newEvent(wanted)], 'no_stream');
        await append(inside, [newEvent('Unwanted'), match], 0n);

        const subscription = store.subscribeToAll(checkpoint.position, { streamPrefix: prefix, eventTypes: [wanted] });
        try {
          expect(ids(await take(subscription[Symbol.asyncIterator](), 1))).toEqual(ids([match]));
        } finally {
          await subscription.close();
        }
      });

      it('close() promptly ends an iteration that is waiting for events', async () => {
        const prefix = unique('sub');
        const checkpoint = await append(`${prefix}-ticket`, [newEvent()], 'no_stream');
        const subscription = store.subscribeToAll(checkpoint.position, { streamPrefix: prefix });
        const pending = subscription[Symbol.asyncIterator]().next();
        await sleep(200);
        await subscription.close();
        expect((await within(pending, 2_000, () => 'iteration still waiting after close()')).done).toBe(true);
      });

      it('close() ends an iteration even while events are still to be delivered', async () => {
        const prefix = unique('sub');
        const stream = `${prefix}-ticket`;
        const checkpoint = await append(stream, [newEvent()], 'no_stream');
        await append(stream, [newEvent(), newEvent(), newEvent()], 0n);
        const subscription = store.subscribeToAll(checkpoint.position, { streamPrefix: prefix });
        const events = subscription[Symbol.asyncIterator]();
        await take(events, 1);
        await subscription.close();
        expect((await within(events.next(), 2_000, () => 'iteration still going after close()')).done).toBe(true);
      });

      it('ends a for await loop over it once closed', async () => {
        const prefix = unique('sub');
        const stream = `${prefix}-ticket`;
        const checkpoint = await append(stream, [newEvent()], 'no_stream');
        const subscription = store.subscribeToAll(checkpoint.position, { streamPrefix: prefix });
        const seen: RecordedEvent[] = [];
        const consumer = (async () => {
          for await (const event of subscription) {
            seen.push(event);
            if (seen.length === 1) await subscription.close();
          }
        })();
        await append(stream, [newEvent(), newEvent()], 0n);
        await within(consumer, WAIT_MS, () => 'for await loop still running after close()');
        expect(seen).toHaveLength(1);
      });
    });

    describe('close', () => {
      it('closes the store and ends its open subscriptions', async () => {
        const other = await openStore();
        const stream = unique('ticket');
        await other.appendToStream(stream, [newEvent()], 'no_stream');
        const subscription = other.subscribeToAll(undefined, { streamPrefix: unique('nothing') });
        const pending = subscription[Symbol.asyncIterator]().next();
        await sleep(200);
        await other.close();
        expect((await within(pending, 5_000, () => 'subscription still waiting after store.close()')).done).toBe(true);
      });
    });
  });
}
