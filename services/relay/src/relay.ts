import { randomUUID } from 'node:crypto';
import type { Bus } from '@caseflow/bus';
import { STREAM_PREFIX } from '@caseflow/engine';
import type { EventStore, RecordedEvent } from '@caseflow/eventstore';
import { batchesOf } from '@caseflow/eventstore';
import { toTicketMessage } from './cloudevents.js';
import type { RelayBookkeeping } from './lease.js';

export const TICKET_EVENTS_TOPIC = 'caseflow.ticket-events.v1';

export interface RelayOptions {
  store: EventStore;
  bus: Bus;
  bookkeeping: RelayBookkeeping;
  /** Where the events go; `caseflow.ticket-events.v1` by default. */
  topic?: string;
  /** Names the checkpoint and the lease: relays with the same name take turns. */
  name?: string;
  /** Partitions of the topic when the relay has to create it. */
  partitions?: number;
  /** Most events published in one batch. */
  batchSize?: number;
  /** How long a lease lasts without renewal: how soon a stand-by relay takes over from a dead one. */
  leaseMs?: number;
  now?: () => Date;
  /** Told about failures the relay retries (the broker away, say); stderr by default. */
  onRetry?: (error: Error, attempt: number) => void;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Tails the event store's global log from the relay's checkpoint and publishes every ticket event
 * to Kafka, keyed by ticket. The checkpoint moves only after the broker acknowledged, so a crash
 * repeats at most the last batch (at-least-once). One relay works at a time: the others wait for
 * its lease.
 */
export class Relay {
  readonly name: string;
  readonly topic: string;
  private readonly owner = randomUUID();
  private readonly leaseMs: number;
  private readonly now: () => Date;
  private stopping = false;
  private running: Promise<void> | undefined;
  private subscription: { close(): Promise<void> } | undefined;
  private wakeFromWait: (() => void) | undefined;

  constructor(private readonly options: RelayOptions) {
    this.name = options.name ?? 'relay';
    this.topic = options.topic ?? TICKET_EVENTS_TOPIC;
    this.leaseMs = options.leaseMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Starts relaying in the background; resolves once the relay holds the lease and is tailing. */
  async start(): Promise<void> {
    const { bus } = this.options;
    await bus.ensureTopic(this.topic, { partitions: this.options.partitions ?? 6 });
    let acquired!: () => void;
    const holding = new Promise<void>((done) => (acquired = done));
    this.running = this.run(acquired);
    await Promise.race([holding, this.running]);
  }

  /** Whether this relay currently holds the lease. */
  get active(): boolean {
    return this.options.bookkeeping.holds(this.name, this.owner, this.now());
  }

  private async run(acquired: () => void): Promise<void> {
    const { bookkeeping } = this.options;
    while (!this.stopping && !bookkeeping.acquire(this.name, this.owner, this.now(), this.leaseMs)) {
      await new Promise<void>((done) => {
        const timer = setTimeout(done, this.leaseMs / 4);
        this.wakeFromWait = () => {
          clearTimeout(timer);
          done();
        };
      });
    }
    if (this.stopping) return;
    acquired();
    const renewal = setInterval(() => bookkeeping.acquire(this.name, this.owner, this.now(), this.leaseMs), this.leaseMs / 3);
    try {
      await this.relay();
    } finally {
      clearInterval(renewal);
      bookkeeping.release(this.name, this.owner);
    }
  }

  private async relay(): Promise<void> {
    const { store, bookkeeping } = this.options;
    const subscription = store.subscribeToAll(bookkeeping.checkpoint(this.name), { streamPrefix: STREAM_PREFIX });
    this.subscription = subscription;
    for await (const batch of batchesOf(subscription, this.options.batchSize ?? 500)) {
      if (!(await this.publish(batch))) break;
      const last = batch[batch.length - 1] as RecordedEvent;
      // A relay that lost its lease (it stalled, another took over) must not move the checkpoint.
      if (!bookkeeping.saveCheckpoint(this.name, this.owner, last.position, this.now())) break;
    }
    await subscription.close();
  }

  /** Publishes until the broker acknowledges; false if the relay stopped or lost its lease meanwhile. */
  private async publish(batch: RecordedEvent[]): Promise<boolean> {
    const messages = batch.map(toTicketMessage);
    for (let attempt = 1; ; attempt++) {
      if (!this.active) return false;
      try {
        await this.options.bus.publish(this.topic, messages);
        return true;
      } catch (error) {
        const report = this.options.onRetry ?? ((e: Error, n: number) => console.error(`caseflow relay: publish failed (attempt ${n}), retrying: ${e.message}`));
        report(error as Error, attempt);
        await sleep(Math.min(200 * 2 ** (attempt - 1), 5_000));
        // Stopping abandons the batch: its checkpoint was not saved, so the next relay sends it.
        if (this.stopping) return false;
      }
    }
  }

  /** Stops tailing, lets an acknowledged batch save its checkpoint, and gives up the lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeFromWait?.();
    await this.subscription?.close();
    await this.running;
  }
}
