import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Admin, Consumer, ConsumerCrashEvent, EachBatchPayload, IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { partitionFor } from './partitioner.js';
import type {
  Bus,
  MessageHandler,
  MessageToPublish,
  PublishedMessage,
  ReceivedMessage,
  RetryPolicy,
  SubscribeOptions,
  Subscription,
} from './port.js';
import { checkMessages, checkPartitionCount, checkSubscribeOptions, checkTopicName, reportStopped } from './checks.js';
import { DEFAULT_RETRY_POLICY, UnknownTopicError } from './port.js';
import { handleWithRetries } from './retry.js';

/** How long a consumer that stopped heartbeating (a crashed process) keeps its partitions; 6 s is the broker's minimum. */
const SESSION_TIMEOUT_MS = 10_000;
/** How soon the members of a group notice that another joined or left and rebalance. */
const HEARTBEAT_INTERVAL_MS = 500;
/** How long an idle fetch waits on the broker: it bounds how long close() and subscribe() wait for one. */
const MAX_WAIT_TIME_MS = 250;

export interface KafkaBusOptions {
  /** Bootstrap servers, `host:port`. */
  brokers: string[];
  /** Names this client in the broker's logs and quotas; default `caseflow`. */
  clientId?: string;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) decoded[name] = last.toString();
  }
  return decoded;
}

function toDelivery(topic: string, partition: number, message: KafkaMessage): Omit<ReceivedMessage, 'attempt'> {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers: decodeHeaders(message.headers),
    timestamp: new Date(Number(message.timestamp)).toISOString(),
  };
}

function isUnknownTopic(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'UNKNOWN_TOPIC_OR_PARTITION';
}

/**
 * The Kafka adapter, on kafkajs.
 *
 * Publishing: one idempotent producer (acks from all in-sync replicas, one request in flight, so
 * a retried request neither duplicates nor reorders). The bus picks each message's partition
 * itself, with `partitionFor` (the murmur2 hash of Kafka's default partitioner), so that it knows
 * where each message went: a partition's messages of one send form one record batch, at
 * consecutive offsets from the batch's base offset. Partition counts are read once per topic and
 * kept: partitions must not be added to a topic while publishers run (it would move keys anyway).
 *
 * Consuming: one kafkajs consumer per subscription, autoCommit off, and each message's offset
 * committed explicitly once its handler resolved. So the committed offset is always exactly the
 * first unhandled message: a crash, a close or a rebalance redelivers at most the message in
 * hand, and kafkajs's auto-commit timing (interval, threshold, or the commit it makes when a
 * handler throws) never enters into it. The price is one OffsetCommit round trip per message,
 * small against what a ticket-event handler does.
 *
 * It runs on `eachBatch` (walking the batch one message at a time, with eachBatchAutoResolve off)
 * rather than `eachMessage`, for one reason: kafkajs 2.2.4's `consumer.commitOffsets` silently
 * does nothing once the consumer is stopping, so the message a handler finishes during close()
 * would not be committed and would come again. The batch's `commitOffsetsIfNecessary(offsets)`
 * commits through the group membership, which lasts until the consumer leaves. A handler that
 * throws is retried inside the batch (heartbeating while it waits), so kafkajs never sees the
 * error and never moves past the message.
 *
 * kafkajs heartbeats only between messages, so a single handler call should end well within the
 * session timeout (10 s): a longer one gets its consumer thrown out of the group, the partition
 * handed to another, and the message handled twice.
 */
export class KafkaBus implements Bus {
  readonly #kafka: Kafka;
  readonly #admin: Admin;
  readonly #producer: Producer;
  readonly #partitionCounts = new Map<string, Promise<number>>();
  readonly #subscriptions = new Set<KafkaSubscription>();

  constructor(options: KafkaBusOptions) {
    this.#kafka = new Kafka({ clientId: options.clientId ?? 'caseflow', brokers: options.brokers, logLevel: logLevel.NOTHING });
    this.#admin = this.#kafka.admin();
    this.#producer = this.#kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Every message comes with its partition (see above); naming the partitioner anyway keeps
      // kafkajs from warning that its default changed in v2.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    await Promise.all([this.#admin.connect(), this.#producer.connect()]);
  }

  async ensureTopic(name: string, { partitions }: { partitions: number }): Promise<void> {
    checkTopicName(name);
    checkPartitionCount(partitions);
    // Resolves to false, without an error, when the topic exists; waitForLeaders lets a publish follow at once.
    await this.#admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }], waitForLeaders: true });
  }

  #partitionCount(topic: string): Promise<number> {
    let count = this.#partitionCounts.get(topic);
    if (count === undefined) {
      count = this.#fetchPartitionCount(topic);
      this.#partitionCounts.set(topic, count);
      // A failed look-up (an unknown topic, the broker away) is tried again next time.
      count.catch(() => this.#partitionCounts.delete(topic));
    }
    return count;
  }

  async #fetchPartitionCount(topic: string): Promise<number> {
    try {
      const { topics } = await this.#admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics.find((found) => found.name === topic)?.partitions.length ?? 0;
      if (partitions === 0) throw new UnknownTopicError(topic);
      return partitions;
    } catch (error) {
      throw isUnknownTopic(error) ? new UnknownTopicError(topic) : error;
    }
  }

  async publish(topic: string, messages: readonly MessageToPublish[]): Promise<PublishedMessage[]> {
    checkTopicName(topic);
    checkMessages(messages);
    if (messages.length === 0) return [];
    const partitions = await this.#partitionCount(topic);
    const placed = messages.map(({ key, value, headers }) => ({ key, value, headers, partition: partitionFor(key, partitions) }));
    const acknowledged = await this.#producer.send({ topic, acks: -1, messages: placed });
    const baseOffsets = new Map(acknowledged.map((record) => [record.partition, record.baseOffset]));
    const placedBefore = new Map<number, bigint>();
    return placed.map(({ partition }) => {
      const base = baseOffsets.get(partition);
      if (base === undefined) throw new Error(`Kafka acknowledged no base offset for ${topic}/${partition}`);
      const nth = placedBefore.get(partition) ?? 0n;
      placedBefore.set(partition, nth + 1n);
      return { topic, partition, offset: String(BigInt(base) + nth) };
    });
  }

  async subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    checkSubscribeOptions(options);
    const topics = [...new Set(options.topics)];
    // Refuses an unknown topic before joining anything (with autocreation off, kafkajs would retry for a while).
    await Promise.all(topics.map((topic) => this.#partitionCount(topic)));
    const consumer = this.#kafka.consumer({
      groupId: options.group,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: MAX_WAIT_TIME_MS,
      allowAutoTopicCreation: false,
    });
    const subscription = new KafkaSubscription(consumer, options, options.retry ?? DEFAULT_RETRY_POLICY, handler, () =>
      this.#subscriptions.delete(subscription),
    );
    await subscription.start(topics, options.fromBeginning ?? false);
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await Promise.all([this.#producer.disconnect(), this.#admin.disconnect()]);
  }
}

class KafkaSubscription implements Subscription {
  readonly #consumer: Consumer;
  readonly #options: SubscribeOptions;
  readonly #retry: RetryPolicy;
  readonly #handler: MessageHandler;
  readonly #onClose: () => void;
  readonly #stopping = new AbortController();
  #started = false;
  #failStart: (error: Error) => void = () => undefined;

  constructor(consumer: Consumer, options: SubscribeOptions, retry: RetryPolicy, handler: MessageHandler, onClose: () => void) {
    this.#consumer = consumer;
    this.#options = options;
    this.#retry = retry;
    this.#handler = handler;
    this.#onClose = onClose;
    consumer.on(consumer.events.CRASH, ({ payload }: ConsumerCrashEvent) => this.#crashed(payload.error, payload.restart));
  }

  /**
   * Resolves after the consumer's first fetch: kafkajs looks up the starting offsets of all its
   * partitions (for a new group without fromBeginning, the end of each) just before it, so from
   * then on nothing published can slip past. `run` alone resolves once joined, before that.
   */
  async start(topics: string[], fromBeginning: boolean): Promise<void> {
    const consumer = this.#consumer;
    const firstFetch = new Promise<void>((resolve, reject) => {
      const stopListening = consumer.on(consumer.events.FETCH, () => {
        stopListening();
        resolve();
      });
      this.#failStart = reject;
    });
    const run = async () => {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.#handleBatch(payload) });
    };
    try {
      await Promise.all([firstFetch, run()]);
    } catch (error) {
      // Also cancels the restart kafkajs may have scheduled after a crash.
      await consumer.disconnect();
      throw error;
    }
    this.#started = true;
  }

  #crashed(error: Error, willRestart: boolean): void {
    if (!this.#started) this.#failStart(error);
    else if (!willRestart) {
      this.#stopping.abort();
      reportStopped(this.#options.onStopped, this.#options.group, error);
    }
  }

  async #handleBatch(payload: EachBatchPayload): Promise<void> {
    const { topic, partition } = payload.batch;
    for (const message of payload.batch.messages) {
      // Closing: the rest of the batch is neither handled nor committed.
      if (this.#stopping.signal.aborted) return;
      const handled = await handleWithRetries(this.#handler, toDelivery(topic, partition, message), this.#retry, {
        signal: this.#stopping.signal,
        // A rebalance shows up as an error from heartbeat: rethrown, it makes kafkajs rejoin the
        // group, and the message goes, uncommitted, to the partition's next owner.
        keepAlive: { everyMs: HEARTBEAT_INTERVAL_MS, call: () => payload.heartbeat() },
      });
      if (!handled) return;
      // Moves kafkajs's own fetch position, which eachBatchAutoResolve no longer does.
      payload.resolveOffset(message.offset);
      const next = String(BigInt(message.offset) + 1n);
      await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
      await payload.heartbeat();
    }
  }

  async close(): Promise<void> {
    this.#stopping.abort();
    // Waits for the handler in progress (and its commit), then leaves the group.
    await this.#consumer.disconnect();
    this.#onClose();
  }
}

export async function openKafkaBus(options: KafkaBusOptions): Promise<KafkaBus> {
  const bus = new KafkaBus(options);
  await bus.connect();
  return bus;
}
