/**
 * The event store port. Adapters: SQLite (embedded default) and EventStoreDB. Both pass the same
 * contract suite (packages/eventstore/test/contract.ts).
 */

/** `no_stream`: the stream must not exist; `exists`: it must; `any`: no check; a bigint: the revision of its last event. */
export type ExpectedRevision = 'no_stream' | 'exists' | 'any' | bigint;

/**
 * A place in the global log. Opaque outside the adapter that produced it: a string, because the
 * underlying positions are 64-bit (or pairs of them) and must survive JSON and SQL untouched.
 * Positions of different adapters are not interchangeable: each refuses another's format.
 */
export type Position = string;

export interface EventToAppend {
  /** A UUID. Appending an id that is already in the stream is an idempotent retry. */
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface RecordedEvent {
  id: string;
  stream: string;
  type: string;
  /** 0 for the stream's first event. */
  revision: bigint;
  position: Position;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** When the store committed it (ISO instant in UTC, ending in Z); the domain's own time is in the event. */
  recordedAt: string;
}

export interface AppendResult {
  /** The revision of the stream's last event after the append: pass it as `expected` next time. */
  nextExpectedRevision: bigint;
  /** The global position of the last event appended. */
  position: Position;
  /**
   * True when these events were in the stream already (an idempotent retry, perhaps by a rival
   * appending the same ids a moment earlier): nothing was appended this time.
   */
  duplicate?: boolean;
}

export interface SubscriptionFilter {
  /** Only streams whose name starts with this. */
  streamPrefix?: string;
  /** Only these event types (an empty list matches nothing). */
  eventTypes?: string[];
}

/** A live subscription: iterate it once to catch up and then tail; `close` ends the iteration. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends atomically; nothing is acknowledged before it is durable. An empty batch is a
   * programming error (TypeError). A batch whose ids are all already in the stream, in order, is an
   * idempotent retry and returns the original result; a batch only some of whose ids are recorded
   * is refused with WrongExpectedRevisionError. Event ids are unique per stream (SQLite: per file).
   */
  appendToStream(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** The stream's events in order, from `fromRevision` (inclusive); empty when the stream does not exist. */
  readStream(stream: string, options?: { fromRevision?: bigint }): Promise<RecordedEvent[]>;
  /**
   * The application's events in the global log after `fromPosition` (exclusive; from the start
   * when omitted), in order. Server bookkeeping (EventStoreDB's `$` system events) is left out.
   */
  readAll(fromPosition?: Position): AsyncIterable<RecordedEvent>;
  /** Like readAll, then waits for new events. `fromCheckpoint` is the last position already processed. */
  subscribeToAll(fromCheckpoint?: Position, filter?: SubscriptionFilter): Subscription;
  /** Ends the store's open subscriptions and releases its connection. */
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or `no_stream`. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export function matchesFilter(event: { stream: string; type: string }, filter: SubscriptionFilter | undefined): boolean {
  if (filter === undefined) return true;
  if (filter.streamPrefix !== undefined && !event.stream.startsWith(filter.streamPrefix)) return false;
  if (filter.eventTypes !== undefined && !filter.eventTypes.includes(event.type)) return false;
  return true;
}
