/**
 * The contract every Bus adapter passes. An adapter's test file calls
 * `describeBusContract(name, openBus)` once. `openBus` is called more than once (one bus serves
 * most tests; others are opened to be closed, as a process restart would), and the buses it
 * returns share their storage: the same broker, the same SQLite file.
 *
 * The Kafka run targets a broker that others may be using at the same time, so every test works
 * on topics and groups of its own, named with a random suffix.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { UnknownTopicError, partitionFor } from '../src/index.js';
import type { Bus, MessageHandler, MessageToPublish, ReceivedMessage, RetryPolicy, SubscribeOptions, Subscription } from '../src/index.js';

/** Long enough for a broker's group rebalance, short enough to fail well inside jest's timeout. */
const WAIT_MS = 15_000;
const PARTITIONS = 6;
/** Retries in tests come quickly; the production default starts at 100 ms. */
const QUICK_RETRY: RetryPolicy = { initialDelayMs: 20, maxDelayMs: 80 };

const unique = (prefix: string): string => `${prefix}-${randomUUID()}`;

async function eventually(condition: () => boolean, what: () => string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what()}`);
    await sleep(10);
  }
}

/** Messages whose values say what they are, e.g. `a1`, `a2` for key `a`. */
function numbered(key: string, from: number, count: number): MessageToPublish[] {
  return Array.from({ length: count }, (_, i) => ({ key, value: `${key}${from + i}` }));
}

const text = (message: ReceivedMessage): string => message.value.toString('utf8');
const texts = (messages: readonly ReceivedMessage[]): string[] => messages.map(text);
const valuesOf = (messages: readonly MessageToPublish[]): string[] => messages.map((m) => String(m.value));

/** Keys that, together, land in every partition of a topic. */
function keysCoveringAllPartitions(partitions: number): string[] {
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < partitions; i += 1) {
    const key = `ticket-${i}`;
    if (!byPartition.has(partitionFor(key, partitions))) byPartition.set(partitionFor(key, partitions), key);
  }
  return [...byPartition.values()];
}

/** A handler that keeps what it got, in order. */
function recorder(): { received: ReceivedMessage[]; handler: MessageHandler } {
  const received: ReceivedMessage[] = [];
  return {
    received,
    handler: (message) => {
      received.push(message);
      return Promise.resolve();
    },
  };
}

/** Resolves once `promise` has, or to 'pending' if it has not after `ms`. */
async function stateAfter(promise: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise.then(() => 'settled' as const), sleep(ms, 'pending' as const, { signal: timer.signal })]);
  } finally {
    // A timer left running would keep jest waiting after the last test.
    timer.abort();
  }
}

export function describeBusContract(adapterName: string, openBus: () => Promise<Bus>): void {
  describe(`Bus contract: ${adapterName}`, () => {
    let bus: Bus;
    const opened: Subscription[] = [];

    beforeAll(async () => {
      bus = await openBus();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((subscription) => subscription.close()));
    });
    afterAll(async () => {
      await bus.close();
    });

    async function newTopic(partitions = PARTITIONS): Promise<string> {
      const topic = unique('test.bus');
      await bus.ensureTopic(topic, { partitions });
      return topic;
    }

    /** Subscribes through `on` (the shared bus unless given), with quick retries; closed after the test. */
    async function subscribe(options: SubscribeOptions, handler: MessageHandler, on: Bus = bus): Promise<Subscription> {
      const subscription = await on.subscribe({ retry: QUICK_RETRY, ...options }, handler);
      opened.push(subscription);
      return subscription;
    }

    describe('publish', () => {
      it('acknowledges each message with its topic, partition and offset, in the order given', async () => {
        const topic = await newTopic();
        const batch = [...numbered('a', 1, 2), ...numbered('b', 1, 1), ...numbered('a', 3, 1)];
        const published = await bus.publish(topic, batch);
        expect(published.map(({ topic: t, partition }) => [t, partition])).toEqual(
          batch.map(({ key }) => [topic, partitionFor(key, PARTITIONS)]),
        );
        // A fresh partition counts from 0, one offset per message; a key's messages follow one another.
        const offsetsOfA = published.filter((_, i) => batch[i]?.key === 'a').map((p) => p.offset);
        expect(offsetsOfA).toEqual(['0', '1', '2']);
        const [next] = await bus.publish(topic, numbered('a', 4, 1));
        expect(next).toEqual({ topic, partition: partitionFor('a', PARTITIONS), offset: '3' });
      });

      it('resolves an empty batch to []', async () => {
        expect(await bus.publish(await newTopic(), [])).toEqual([]);
      });

      it('refuses a topic that was never ensured, for publish and subscribe', async () => {
        const topic = unique('test.bus.missing');
        await expect(bus.publish(topic, numbered('a', 1, 1))).rejects.toBeInstanceOf(UnknownTopicError);
        await expect(bus.subscribe({ group: unique('group'), topics: [topic] }, recorder().handler)).rejects.toBeInstanceOf(
          UnknownTopicError,
        );
      });

      it('leaves an existing topic as it is when ensured again', async () => {
        const topic = await newTopic();
        await bus.ensureTopic(topic, { partitions: 2 });
        const key = keysCoveringAllPartitions(PARTITIONS).find((k) => partitionFor(k, PARTITIONS) >= 2) as string;
        const [published] = await bus.publish(topic, [{ key, value: 'still six partitions' }]);
        expect(published?.partition).toBe(partitionFor(key, PARTITIONS));
      });

      it('refuses malformed input as a usage error', async () => {
        await expect(bus.ensureTopic('no spaces allowed', { partitions: 1 })).rejects.toBeInstanceOf(TypeError);
        await expect(bus.ensureTopic(unique('test.bus'), { partitions: 0 })).rejects.toBeInstanceOf(TypeError);
        const topic = await newTopic();
        const badHeader = { key: 'a', value: 'v', headers: { ce_id: 42 as unknown as string } };
        await expect(bus.publish(topic, [badHeader])).rejects.toBeInstanceOf(TypeError);
        await expect(bus.subscribe({ group: '', topics: [topic] }, recorder().handler)).rejects.toBeInstanceOf(TypeError);
      });
    });

    describe('delivery', () => {
      it('delivers key, bytes, headers, partition, offset and timestamp as published', async () => {
        const topic = await newTopic();
        const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        const headers = {
          ce_id: randomUUID(),
          ce_type: 'caseflow.ticket.TicketOpened.v1',
          ce_source: '/caseflow/tickets',
          ce_specversion: '1.0',
          ce_subject: 'ticket-7',
          ce_time: '2026-11-20T10:00:00.000Z',
          caseflow_stream_revision: '0',
          note: 'Zürich, 北京, 🎫',
        };
        const before = Date.now();
        const published = await bus.publish(topic, [
          { key: 'ticket-7', value: everyByte, headers },
          { key: 'ticket-ü', value: 'zażółć gęślą jaźń' },
        ]);
        const { received, handler } = recorder();
        await subscribe({ group: unique('group'), topics: [topic], fromBeginning: true }, handler);
        await eventually(() => received.length === 2, () => `received ${received.length} of 2`);

        const [binary, textual] = [...received].sort((x, y) => (x.key < y.key ? -1 : 1));
        expect(binary).toMatchObject({ ...published[0], key: 'ticket-7', headers, attempt: 1 });
        expect(binary?.value.equals(everyByte)).toBe(true);
        expect(textual).toMatchObject({ ...published[1], key: 'ticket-ü', headers: {}, attempt: 1 });
        expect(textual?.value.toString('utf8')).toBe('zażółć gęślą jaźń');
        expect(textual?.value).toBeInstanceOf(Buffer);
        expect(binary?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        const stamped = Date.parse(binary?.timestamp ?? '');
        expect(stamped).toBeGreaterThanOrEqual(before - 1_000);
        expect(stamped).toBeLessThanOrEqual(Date.now() + 1_000);
      });

      it('starts a new group at the beginning when asked, otherwise with what is published after subscribe', async () => {
        const topic = await newTopic();
        await bus.publish(topic, numbered('a', 1, 2));
        const fromStart = recorder();
        const fromNow = recorder();
        await subscribe({ group: unique('group'), topics: [topic], fromBeginning: true }, fromStart.handler);
        await subscribe({ group: unique('group'), topics: [topic] }, fromNow.handler);
        await bus.publish(topic, numbered('a', 3, 1));
        await eventually(
          () => fromStart.received.length === 3 && fromNow.received.length >= 1,
          () => `from the start: ${fromStart.received.length} of 3, from now: ${fromNow.received.length} of 1`,
        );
        expect(texts(fromStart.received)).toEqual(['a1', 'a2', 'a3']);
        // Same key, so an early message would have come before a3.
        expect(texts(fromNow.received)).toEqual(['a3']);
      });

      it('starts a group that has committed nothing afresh each time, not where an earlier subscription started', async () => {
        const topic = await newTopic();
        const group = unique('group');
        const first = await subscribe({ group, topics: [topic] }, recorder().handler);
        await first.close();
        await bus.publish(topic, numbered('a', 1, 1));
        const { received, handler } = recorder();
        await subscribe({ group, topics: [topic] }, handler);
        await bus.publish(topic, numbered('a', 2, 1));
        await eventually(() => received.length >= 1, () => 'a2 not delivered');
        expect(texts(received)).toEqual(['a2']);
      });

      it('keeps each key in publish order across batches, with offsets rising per partition', async () => {
        const topic = await newTopic();
        const keys = ['t1', 't2', 't3', 't4'];
        const batches = Array.from({ length: 5 }, (_, b) => keys.flatMap((key) => numbered(key, b * 3 + 1, 3)));
        const { received, handler } = recorder();
        await subscribe({ group: unique('group'), topics: [topic] }, handler);
        for (const batch of batches) await bus.publish(topic, batch);
        const total = batches.flat().length;
        await eventually(() => received.length === total, () => `received ${received.length} of ${total}`);
        for (const key of keys) {
          expect(texts(received.filter((m) => m.key === key))).toEqual(numbered(key, 1, 15).map((m) => m.value));
        }
        for (let partition = 0; partition < PARTITIONS; partition += 1) {
          const offsets = received.filter((m) => m.partition === partition).map((m) => BigInt(m.offset));
          expect(offsets.every((offset, i) => i === 0 || offset === (offsets[i - 1] as bigint) + 1n)).toBe(true);
        }
      });

      it('delivers every message to each group', async () => {
        const topic = await newTopic();
        const first = recorder();
        const second = recorder();
        await subscribe({ group: unique('group'), topics: [topic] }, first.handler);
        await subscribe({ group: unique('group'), topics: [topic] }, second.handler);
        const batch = keysCoveringAllPartitions(PARTITIONS).flatMap((key) => numbered(key, 1, 2));
        await bus.publish(topic, batch);
        await eventually(
          () => first.received.length === batch.length && second.received.length === batch.length,
          () => `group 1: ${first.received.length}, group 2: ${second.received.length} of ${batch.length}`,
        );
        expect(texts(first.received).sort()).toEqual(valuesOf(batch).sort());
        expect(texts(second.received).sort()).toEqual(valuesOf(batch).sort());
      });

      it('delivers the topics of a subscription to several topics', async () => {
        const [tickets, notes] = [await newTopic(), await newTopic(2)];
        const { received, handler } = recorder();
        await subscribe({ group: unique('group'), topics: [tickets, notes] }, handler);
        await bus.publish(tickets, numbered('a', 1, 2));
        await bus.publish(notes, numbered('n', 1, 1));
        await eventually(() => received.length === 3, () => `received ${received.length} of 3`);
        expect(received.map((m) => `${m.topic} ${text(m)}`).sort()).toEqual([`${notes} n1`, `${tickets} a1`, `${tickets} a2`].sort());
      });
    });

    describe('consumer groups', () => {
      it('shares the partitions among the subscriptions of a group: each message goes to one of them', async () => {
        const topic = await newTopic();
        const group = unique('group');
        const one = recorder();
        const two = recorder();
        await subscribe({ group, topics: [topic] }, one.handler);
        await subscribe({ group, topics: [topic] }, two.handler);
        const batch = keysCoveringAllPartitions(PARTITIONS).flatMap((key) => numbered(key, 1, 4));
        await bus.publish(topic, batch);
        const all = () => [...one.received, ...two.received];
        await eventually(() => all().length >= batch.length, () => `received ${all().length} of ${batch.length}`);
        await sleep(300);
        expect(texts(all()).sort()).toEqual(valuesOf(batch).sort());
        expect(one.received.length).toBeGreaterThan(0);
        expect(two.received.length).toBeGreaterThan(0);
        const partitionsOf = (messages: ReceivedMessage[]) => new Set(messages.map((m) => m.partition));
        const shared = [...partitionsOf(one.received)].filter((p) => partitionsOf(two.received).has(p));
        expect(shared).toEqual([]);
      });

      it('hands the partitions of a closed subscription to the rest of its group, from its last commit', async () => {
        const topic = await newTopic();
        const group = unique('group');
        const staying = recorder();
        const leaving = recorder();
        await subscribe({ group, topics: [topic] }, staying.handler);
        const leaver = await subscribe({ group, topics: [topic] }, leaving.handler);
        const keys = keysCoveringAllPartitions(PARTITIONS);
        const before = keys.flatMap((key) => numbered(key, 1, 2));
        await bus.publish(topic, before);
        const both = () => staying.received.length + leaving.received.length;
        await eventually(() => both() === before.length, () => `received ${both()} of ${before.length}`);
        expect(leaving.received.length).toBeGreaterThan(0);

        await leaver.close();
        const handledBefore = staying.received.length;
        const after = keys.flatMap((key) => numbered(key, 3, 2));
        await bus.publish(topic, after);
        await eventually(
          () => staying.received.length === handledBefore + after.length,
          () => `received ${staying.received.length - handledBefore} of ${after.length} after the close`,
        );
        // Everything the leaver handled was committed: nothing of the first batch comes again.
        expect(texts(staying.received.slice(handledBefore)).sort()).toEqual(valuesOf(after).sort());
      });
    });

    describe('at least once', () => {
      it('loses nothing and keeps order when a subscription joins while another retries a message', async () => {
        const topic = await newTopic();
        const group = unique('group');
        let failing = true;
        const attempts: string[] = [];
        const handled: string[] = [];
        const handler: MessageHandler = (message) => {
          attempts.push(text(message));
          if (text(message) === 'a2' && failing) return Promise.reject(new Error('still down'));
          handled.push(text(message));
          return Promise.resolve();
        };
        await subscribe({ group, topics: [topic] }, handler);
        await bus.publish(topic, numbered('a', 1, 4));
        await eventually(() => attempts.filter((v) => v === 'a2').length >= 2, () => `attempts: ${attempts.join()}`);
        await subscribe({ group, topics: [topic] }, handler);
        failing = false;
        await eventually(() => handled.includes('a4'), () => `handled: ${handled.join()}`);
        // A rebalance may hand an uncommitted message over to be handled again, never skip one or go back.
        const firstTimes = ['a1', 'a2', 'a3', 'a4'].map((value) => handled.indexOf(value));
        expect(firstTimes.every((at, i) => at >= 0 && (i === 0 || at > (firstTimes[i - 1] as number)))).toBe(true);
      });

      it('redelivers a message whose handler threw, after a backoff, and holds back the rest of its partition', async () => {
        const topic = await newTopic();
        const seen: { value: string; attempt: number; at: number }[] = [];
        await subscribe({ group: unique('group'), topics: [topic] }, (message) => {
          seen.push({ value: text(message), attempt: message.attempt, at: Date.now() });
          if (text(message) === 'a2' && message.attempt < 3) return Promise.reject(new Error('mail server down'));
          return Promise.resolve();
        });
        await bus.publish(topic, numbered('a', 1, 4));
        await eventually(() => seen.length === 6, () => `${seen.length} of 6 deliveries`);
        expect(seen.map(({ value, attempt }) => `${value}#${attempt}`)).toEqual(['a1#1', 'a2#1', 'a2#2', 'a2#3', 'a3#1', 'a4#1']);
        const gap = (i: number) => (seen[i]?.at ?? 0) - (seen[i - 1]?.at ?? 0);
        // Timers may fire a millisecond early; the point is that the retry waited.
        expect(gap(2)).toBeGreaterThanOrEqual(QUICK_RETRY.initialDelayMs - 2);
        expect(gap(3)).toBeGreaterThanOrEqual(2 * QUICK_RETRY.initialDelayMs - 2);
      });

      it('lets a handler publish, e.g. to move a poison message to a dead-letter topic and go on', async () => {
        const topic = await newTopic();
        const deadLetters = await newTopic(1);
        const handled: string[] = [];
        await subscribe({ group: unique('group'), topics: [topic] }, async (message) => {
          if (text(message) !== 'poison') {
            handled.push(text(message));
            return;
          }
          if (message.attempt < 2) throw new Error('cannot render this message');
          await bus.publish(deadLetters, [
            { key: message.key, value: message.value, headers: { ...message.headers, dlq_reason: 'cannot render this message' } },
          ]);
        });
        const dead = recorder();
        await subscribe({ group: unique('group'), topics: [deadLetters] }, dead.handler);
        await bus.publish(topic, [
          { key: 'ticket-9', value: 'ok1' },
          { key: 'ticket-9', value: 'poison', headers: { ce_id: 'e-2' } },
          { key: 'ticket-9', value: 'ok2' },
        ]);
        await eventually(() => handled.length === 2 && dead.received.length === 1, () => `handled ${handled.join()}`);
        expect(handled).toEqual(['ok1', 'ok2']);
        expect(dead.received[0]).toMatchObject({ key: 'ticket-9', headers: { ce_id: 'e-2', dlq_reason: 'cannot render this message' } });
      });

      it('commits only handled messages: the next subscription of the group starts at the first unhandled one', async () => {
        const topic = await newTopic();
        const group = unique('group');
        const failing: string[] = [];
        const first = await subscribe({ group, topics: [topic] }, (message) => {
          failing.push(text(message));
          return text(message) === 'a3' ? Promise.reject(new Error('down')) : Promise.resolve();
        });
        await bus.publish(topic, numbered('a', 1, 5));
        await eventually(() => failing.filter((v) => v === 'a3').length >= 2, () => `deliveries: ${failing.join()}`);
        const closing = first.close();
        expect(await stateAfter(closing, 2_000)).toBe('settled');
        const afterClose = failing.length;

        const { received, handler } = recorder();
        await subscribe({ group, topics: [topic] }, handler);
        await eventually(() => received.length === 3, () => `received ${received.length} of 3`);
        expect(texts(received)).toEqual(['a3', 'a4', 'a5']);
        expect(received[0]?.attempt).toBe(1);
        expect(failing).toHaveLength(afterClose);
      });

      it('close() waits for the handler in progress, commits its message, then delivers nothing more', async () => {
        const topic = await newTopic();
        const group = unique('group');
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const handled: string[] = [];
        const subscription = await subscribe({ group, topics: [topic] }, async (message) => {
          await gate;
          handled.push(text(message));
        });
        await bus.publish(topic, numbered('a', 1, 3));
        await sleep(300);
        const closing = subscription.close();
        expect(await stateAfter(closing, 300)).toBe('pending');
        release();
        expect(await stateAfter(closing, 5_000)).toBe('settled');
        expect(handled).toEqual(['a1']);
        await subscription.close();

        await bus.publish(topic, numbered('a', 4, 1));
        const { received, handler } = recorder();
        await subscribe({ group, topics: [topic] }, handler);
        await eventually(() => received.length === 3, () => `received ${received.length} of 3`);
        expect(texts(received)).toEqual(['a2', 'a3', 'a4']);
        expect(handled).toEqual(['a1']);
      });

      it('keeps a group where it was across a restart of the bus', async () => {
        const topic = await newTopic();
        const group = unique('group');
        const before = await openBus();
        const handledBefore = recorder();
        await before.subscribe({ group, topics: [topic], fromBeginning: true }, handledBefore.handler);
        await before.publish(topic, [...numbered('a', 1, 2), ...numbered('b', 1, 2)]);
        await eventually(() => handledBefore.received.length === 4, () => `received ${handledBefore.received.length} of 4`);
        await before.close();

        await bus.publish(topic, [...numbered('a', 3, 1), ...numbered('b', 3, 1)]);
        const after = await openBus();
        try {
          const handledAfter = recorder();
          await after.subscribe({ group, topics: [topic], fromBeginning: true }, handledAfter.handler);
          await eventually(() => handledAfter.received.length === 2, () => `received ${handledAfter.received.length} of 2`);
          await sleep(300);
          expect(texts(handledAfter.received).sort()).toEqual(['a3', 'b3']);
        } finally {
          await after.close();
        }
      });
    });

    describe('close', () => {
      it('closes the bus with its subscriptions; closing a subscription again is harmless', async () => {
        const other = await openBus();
        const topic = await newTopic();
        const { received, handler } = recorder();
        const subscription = await other.subscribe({ group: unique('group'), topics: [topic] }, handler);
        await other.publish(topic, numbered('a', 1, 1));
        await eventually(() => received.length === 1, () => 'the message published before close()');
        expect(await stateAfter(other.close(), 5_000)).toBe('settled');
        await subscription.close();
        await expect(other.publish(topic, numbered('a', 2, 1))).rejects.toThrow();
        await bus.publish(topic, numbered('a', 3, 1));
        await sleep(300);
        expect(texts(received)).toEqual(['a1']);
      });
    });
  });
}
