import { EventEmitter } from 'node:events';
import type { SqliteDatabase } from '@caseflow/sqlite';
import { migrateSchema, openSqliteFile } from '@caseflow/sqlite';
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

/**
 * The bus's own schema version, kept in its own table: the event store owns `PRAGMA user_version`
 * of the same file.
 */
const SCHEMA_VERSION = 1;

interface MessageRow {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: Buffer;
  headers: string;
  timestamp: string;
}

type Delivery = Omit<ReceivedMessage, 'attempt'>;

interface TopicPartition {
  topic: string;
  partition: number;
}

interface SubscribedPartition extends TopicPartition {
  /** Where the subscription starts on it if the group has committed nothing for it. */
  start: number;
}

export interface InProcessBusOptions {
  /**
   * How often an idle subscription looks for messages published by another process on the same
   * file; publishes in this process wake it at once.
   */
  pollIntervalMs?: number;
}

/** Publishes through any bus on a file wake the subscriptions of every bus on that file in this process. */
const localPublishes = new EventEmitter().setMaxListeners(0);

function toDelivery(row: MessageRow): Delivery {
  return {
    topic: row.topic,
    partition: row.partition,
    offset: String(row.offset),
    key: row.key,
    value: row.value,
    headers: JSON.parse(row.headers) as Record<string, string>,
    timestamp: row.timestamp,
  };
}

function createBusTables(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE bus_topics (
      name TEXT PRIMARY KEY,
      partitions INTEGER NOT NULL CHECK (partitions > 0)
    );
    CREATE TABLE bus_messages (
      topic TEXT NOT NULL,
      "partition" INTEGER NOT NULL,
      "offset" INTEGER NOT NULL,
      key TEXT NOT NULL,
      value BLOB NOT NULL,
      headers TEXT NOT NULL,
      timestamp TEXT NOT NULL,
      PRIMARY KEY (topic, "partition", "offset")
    ) WITHOUT ROWID;
    CREATE TABLE bus_offsets (
      "group" TEXT NOT NULL,
      topic TEXT NOT NULL,
      "partition" INTEGER NOT NULL,
      next_offset INTEGER NOT NULL,
      PRIMARY KEY ("group", topic, "partition")
    ) WITHOUT ROWID;`);
}

/** The bus's tables in the SQLite file: topics, messages by partition and offset, and each group's committed offsets. */
class BusFile {
  readonly path: string;
  private readonly db: SqliteDatabase;
  private readonly statements;

  constructor(path: string) {
    // Durable commits, as for the event store: a publish or a commit is on disk before it is acknowledged.
    ({ db: this.db, file: this.path } = openSqliteFile(path));
    migrateSchema(this.db, this.path, { component: 'bus', table: 'bus_schema', version: SCHEMA_VERSION, create: createBusTables });
    this.statements = {
      partitions: this.db.prepare<[string], { partitions: number }>('SELECT partitions FROM bus_topics WHERE name = ?'),
      createTopic: this.db.prepare<[string, number]>('INSERT OR IGNORE INTO bus_topics (name, partitions) VALUES (?, ?)'),
      end: this.db.prepare<[string, number], { end: number }>(
        'SELECT coalesce(max("offset") + 1, 0) AS end FROM bus_messages WHERE topic = ? AND "partition" = ?',
      ),
      insert: this.db.prepare<[string, number, number, string, Buffer, string, string]>(
        'INSERT INTO bus_messages (topic, "partition", "offset", key, value, headers, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      next: this.db.prepare<[string, string, number, number], MessageRow>(`
        SELECT m.* FROM bus_messages m
        LEFT JOIN bus_offsets o ON o."group" = ? AND o.topic = m.topic AND o."partition" = m."partition"
        WHERE m.topic = ? AND m."partition" = ? AND m."offset" >= coalesce(o.next_offset, ?)
        ORDER BY m."offset" LIMIT 1`),
      commit: this.db.prepare<[string, string, number, number]>(`
        INSERT INTO bus_offsets ("group", topic, "partition", next_offset) VALUES (?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET next_offset = excluded.next_offset`),
    };
  }

  get open(): boolean {
    return this.db.open;
  }

  partitionCount(topic: string): number {
    const row = this.statements.partitions.get(topic);
    if (row === undefined) throw new UnknownTopicError(topic);
    return row.partitions;
  }

  createTopic(name: string, partitions: number): void {
    this.statements.createTopic.run(name, partitions);
  }

  /** One IMMEDIATE transaction: all the messages are stored, or none; the commit fsyncs. */
  append(topic: string, messages: readonly MessageToPublish[]): PublishedMessage[] {
    const timestamp = new Date().toISOString();
    return this.db
      .transaction(() => {
        const partitions = this.partitionCount(topic);
        const ends = new Map<number, number>();
        return messages.map(({ key, value, headers = {} }) => {
          const partition = partitionFor(key, partitions);
          const offset = ends.get(partition) ?? (this.statements.end.get(topic, partition) as { end: number }).end;
          ends.set(partition, offset + 1);
          const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
          this.statements.insert.run(topic, partition, offset, key, bytes, JSON.stringify(headers), timestamp);
          return { topic, partition, offset: String(offset) };
        });
      })
      .immediate();
  }

  /** The offset the partition's next message will get. */
  end({ topic, partition }: TopicPartition): number {
    return (this.statements.end.get(topic, partition) as { end: number }).end;
  }

  /** The first message of the partition after the group's committed offset, or from `start` if it has committed none. */
  next(group: string, { topic, partition }: TopicPartition, start: number): Delivery | undefined {
    const row = this.statements.next.get(group, topic, partition, start);
    return row === undefined ? undefined : toDelivery(row);
  }

  commit(group: string, { topic, partition }: TopicPartition, nextOffset: number): void {
    this.statements.commit.run(group, topic, partition, nextOffset);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

const slotOf = ({ topic, partition }: TopicPartition): string => `${topic}/${partition}`;

/** The subscriptions of one consumer group on one bus, and how they share the partitions. */
class Group {
  readonly members: InProcessSubscription[] = [];
  /**
   * Partitions with a message in a handler right now. Nobody else starts on them, even if they
   * were just given to another member: that member must see the offset the handler commits.
   */
  readonly handling = new Set<string>();

  /** Each topic's partitions go round-robin to the members subscribed to it, in the order they joined. */
  owns(member: InProcessSubscription, { topic, partition }: TopicPartition): boolean {
    const sharing = this.members.filter((m) => m.topics.includes(topic));
    return sharing[partition % sharing.length] === member;
  }

  wakeAll(): void {
    for (const member of this.members) member.wake();
  }
}

class InProcessSubscription implements Subscription {
  readonly topics: readonly string[];
  private readonly stopping = new AbortController();
  private running: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  /** Where the next look for a message starts, so that a busy partition does not starve the others. */
  private cursor = 0;
  private readonly onPublish = () => this.wake();

  constructor(
    private readonly file: BusFile,
    private readonly group: Group,
    private readonly options: SubscribeOptions & { retry: RetryPolicy },
    private readonly partitions: readonly SubscribedPartition[],
    private readonly handler: MessageHandler,
    private readonly pollIntervalMs: number,
    private readonly onLeave: () => void,
  ) {
    this.topics = options.topics;
  }

  /** Joins the group and starts delivering. */
  start(): void {
    this.group.members.push(this);
    localPublishes.on(this.file.path, this.onPublish);
    this.running = this.deliverUntilClosed();
  }

  wake(): void {
    this.wakeUp?.();
  }

  private async deliverUntilClosed(): Promise<void> {
    try {
      while (!this.stopping.signal.aborted) {
        const message = this.nextMessage();
        if (message === undefined) await this.sleepUntilWoken();
        else await this.deliver(message);
      }
    } catch (error) {
      this.leave();
      reportStopped(this.options.onStopped, this.options.group, error instanceof Error ? error : new Error(String(error)));
    }
  }

  private nextMessage(): Delivery | undefined {
    for (let i = 0; i < this.partitions.length; i += 1) {
      const index = (this.cursor + i) % this.partitions.length;
      const partition = this.partitions[index] as SubscribedPartition;
      if (!this.group.owns(this, partition) || this.group.handling.has(slotOf(partition))) continue;
      const message = this.file.next(this.options.group, partition, partition.start);
      if (message !== undefined) {
        this.cursor = index + 1;
        return message;
      }
    }
    return undefined;
  }

  private async deliver(message: Delivery): Promise<void> {
    const slot = slotOf(message);
    this.group.handling.add(slot);
    try {
      if (await handleWithRetries(this.handler, message, this.options.retry, { signal: this.stopping.signal })) {
        this.file.commit(this.options.group, message, Number(message.offset) + 1);
      }
    } finally {
      this.group.handling.delete(slot);
      // The partition may have gone to another member, which skipped it while this handler ran.
      if (!this.group.owns(this, message)) this.group.wakeAll();
    }
  }

  private sleepUntilWoken(): Promise<void> {
    return new Promise((done) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        done();
      };
      const timer = setTimeout(finish, this.pollIntervalMs);
      this.wakeUp = finish;
    });
  }

  /** Hands the partitions to the other members at once; a message still in a handler stays claimed until it is done. */
  private leave(): void {
    this.stopping.abort();
    localPublishes.off(this.file.path, this.onPublish);
    const index = this.group.members.indexOf(this);
    if (index >= 0) {
      this.group.members.splice(index, 1);
      this.group.wakeAll();
      this.onLeave();
    }
    this.wake();
  }

  async close(): Promise<void> {
    this.leave();
    await this.running;
  }
}

/**
 * The embedded bus: topics, messages and committed offsets in SQLite, in the same file as the
 * event store (its own `bus_` tables), so that a group resumes where it was after a restart.
 * Consumer groups are coordinated inside this bus object: the subscriptions of one group share
 * its partitions only if they subscribe through the same bus (the embedded `caseflow start` has
 * one). Other processes may publish to the file; their messages are found by polling.
 *
 * Messages are kept: nothing is deleted once every group has read it (a later group may start
 * from the beginning). The event store remains the record; the bus tables may be emptied when no
 * consumer is behind.
 */
export class InProcessBus implements Bus {
  private readonly file: BusFile;
  private readonly pollIntervalMs: number;
  private readonly groups = new Map<string, Group>();
  private readonly subscriptions = new Set<InProcessSubscription>();

  constructor(path: string, options: InProcessBusOptions = {}) {
    this.file = new BusFile(path);
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
  }

  ensureTopic(name: string, { partitions }: { partitions: number }): Promise<void> {
    return new Promise((resolve) => {
      this.checkOpen();
      checkTopicName(name);
      checkPartitionCount(partitions);
      this.file.createTopic(name, partitions);
      resolve();
    });
  }

  publish(topic: string, messages: readonly MessageToPublish[]): Promise<PublishedMessage[]> {
    // The Promise constructor turns a throw inside the synchronous write into a rejection.
    return new Promise((resolve) => {
      this.checkOpen();
      checkTopicName(topic);
      checkMessages(messages);
      if (messages.length === 0) return resolve([]);
      const published = this.file.append(topic, messages);
      localPublishes.emit(this.file.path);
      resolve(published);
    });
  }

  subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    return new Promise((resolve) => resolve(this.join(options, handler)));
  }

  private join(options: SubscribeOptions, handler: MessageHandler): InProcessSubscription {
    this.checkOpen();
    checkSubscribeOptions(options);
    const topics = [...new Set(options.topics)];
    // Where to start on a partition the group has committed nothing for. Like a Kafka consumer's
    // offset reset, it is not stored: a group that never commits starts afresh each time.
    const partitions = topics.flatMap((topic) =>
      Array.from({ length: this.file.partitionCount(topic) }, (_, partition): SubscribedPartition => ({
        topic,
        partition,
        start: options.fromBeginning === true ? 0 : this.file.end({ topic, partition }),
      })),
    );

    const group = this.groups.get(options.group) ?? new Group();
    this.groups.set(options.group, group);
    const retry = options.retry ?? DEFAULT_RETRY_POLICY;
    const subscription = new InProcessSubscription(
      this.file,
      group,
      { ...options, topics, retry },
      partitions,
      handler,
      this.pollIntervalMs,
      () => {
        this.subscriptions.delete(subscription);
        if (group.members.length === 0 && this.groups.get(options.group) === group) this.groups.delete(options.group);
      },
    );
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  private checkOpen(): void {
    if (!this.file.open) throw new Error('the bus is closed');
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.file.close();
  }
}

export function openInProcessBus(path: string, options?: InProcessBusOptions): InProcessBus {
  return new InProcessBus(path, options);
}
