/**
 * The message bus port. Adapters: in-process (the embedded default, persisted in the SQLite file
 * of the event store) and Kafka (kafkajs). Both pass the same contract suite
 * (packages/bus/test/contract.ts).
 *
 * The guarantees, the same for both adapters:
 * - A topic has a fixed number of partitions. A message goes to the partition of its key
 *   (`partitionFor`: Kafka's default murmur2 hash, so Java and kafkajs producers agree), and a
 *   partition keeps the order in which messages were published: per key, order holds.
 * - `publish` resolves only once every message is durable (Kafka: acks from all in-sync replicas;
 *   in-process: the SQLite transaction committed with synchronous=FULL).
 * - Consumers belong to a group. A group's partitions are shared out among its open subscriptions;
 *   each message is delivered to one subscription of each group, and different groups each get
 *   every message.
 * - At least once: a message's offset is committed for its group only after its handler resolved,
 *   one message at a time, so a subscription that stops (close, crash, restart, or a partition
 *   moving to another subscription) redelivers at most the message it was handling.
 * - A handler that throws gets the same message again after a backoff (`RetryPolicy`), for as long
 *   as it takes: the partition never skips a message. A message that can never be processed is the
 *   handler's to settle, e.g. by publishing it to a dead-letter topic and resolving once
 *   `attempt` says it has failed often enough.
 */

/** What `publish` takes. */
export interface MessageToPublish {
  /** Decides the partition; messages with the same key keep their order. */
  key: string;
  /** A string is sent as its UTF-8 bytes. */
  value: Buffer | string;
  headers?: Record<string, string>;
}

/** Where `publish` put a message. */
export interface PublishedMessage {
  topic: string;
  partition: number;
  /** A 64-bit offset in decimal, as Kafka counts them: from 0, one per message of the partition. */
  offset: string;
}

/** What a handler gets. */
export interface ReceivedMessage extends PublishedMessage {
  /** A message a foreign producer sent without a key arrives with key ''. */
  key: string;
  /** The bytes as published; a foreign producer's null value (a tombstone) arrives empty. */
  value: Buffer;
  /** UTF-8 decoded; of a header a foreign producer repeated, the last value. */
  headers: Record<string, string>;
  /** When it was published (ISO instant in UTC, ending in Z). */
  timestamp: string;
  /**
   * 1 on the first delivery to this subscription, one more for each retry after the handler
   * threw. It starts again at 1 when the message is redelivered after a restart or a rebalance,
   * so it says how often it failed here, not in total.
   */
  attempt: number;
}

/** Resolves once the message is processed; only then is its offset committed. */
export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

/** How long to wait before giving a message whose handler threw to the handler again. */
export interface RetryPolicy {
  /** The wait before the first retry; it doubles with each further retry... */
  initialDelayMs: number;
  /** ...up to this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 10_000 };

export interface SubscribeOptions {
  group: string;
  topics: readonly string[];
  /**
   * Where the group starts on a partition for which it has committed nothing yet: at the
   * beginning (true), or with the messages published after `subscribe` resolved (false, the
   * default). Once the group has committed an offset, it always resumes there.
   */
  fromBeginning?: boolean;
  retry?: RetryPolicy;
  /**
   * Called if the subscription stops on its own: the adapter met a failure it cannot recover from
   * (Kafka: a non-retriable error, or retries exhausted; in-process: the SQLite file failed). A
   * handler that throws never stops a subscription. Without it, the error is written to stderr.
   */
  onStopped?: (error: Error) => void;
}

export interface Subscription {
  /**
   * Stops delivery: no handler is called once it resolves. A handler that is running is waited
   * for (not interrupted) and its message committed if it resolves; a message waiting for a retry
   * is left uncommitted, for the next subscription of the group. Its partitions go to the group's
   * other subscriptions. Closing twice is harmless. A handler must not await the close of its
   * own subscription: the close would wait for the handler.
   */
  close(): Promise<void>;
}

export interface Bus {
  /**
   * Creates the topic with this many partitions unless it exists. An existing topic is left as
   * it is: its partition count is never changed, because that would move keys to other
   * partitions and break their order.
   */
  ensureTopic(name: string, options: { partitions: number }): Promise<void>;
  /**
   * Appends the messages, each to its key's partition, and resolves once all are durable, with
   * where each went, in the order given. An empty batch resolves to []. A topic that was never
   * ensured is refused with UnknownTopicError. Messages that share a partition are stored in the
   * order given; the batch is not atomic across partitions (Kafka may store some partitions of a
   * rejected batch), so a publisher that retries may duplicate: consumers are at-least-once anyway.
   */
  publish(topic: string, messages: readonly MessageToPublish[]): Promise<PublishedMessage[]>;
  /**
   * Joins the group and starts delivering; resolves once the subscription has its share of the
   * partitions and its starting offsets, so nothing published afterwards escapes it. The handler
   * is called for one message at a time (never concurrently with itself), in partition order.
   * A topic that was never ensured is refused with UnknownTopicError.
   */
  subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription>;
  /** Closes the open subscriptions (see Subscription.close) and releases the connection. */
  close(): Promise<void>;
}

export class UnknownTopicError extends Error {
  constructor(readonly topic: string) {
    super(`topic ${topic} does not exist: create it with ensureTopic first`);
    this.name = 'UnknownTopicError';
  }
}
