import { createRequire } from 'node:module';
import type * as EsdbClient from '@eventstore/db-client';
import type {
  AllStreamRecordedEvent,
  AllStreamSubscription,
  AppendExpectedRevision,
  AppendResult as EsdbAppendResult,
  EventStoreDBClient,
  Filter,
  ReadPosition,
  RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { WrongExpectedRevisionError, matchesFilter } from './port.js';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  Position,
  RecordedEvent,
  Subscription,
  SubscriptionFilter,
} from './port.js';

let loadedClient: typeof EsdbClient | undefined;
/**
 * The client library, loaded when an EventStoreDB store is first opened: it takes some 80 ms to
 * load, which every process and rebuild thread on the SQLite store alone would otherwise pay.
 */
const esdb = (): typeof EsdbClient => (loadedClient ??= createRequire(import.meta.url)('@eventstore/db-client') as typeof EsdbClient);

/**
 * The EventStoreDB adapter (server 22.10 or later, for positions on stream reads).
 *
 * A position is the decimal commit position alone. Every event the gRPC API writes has a commit
 * position of its own, and it is the one coordinate that append results, stream reads and $all
 * reads report alike (what they put in the prepare half has varied between server versions).
 * ESDB wants both halves back; for such events they are equal.
 */
export class EsdbEventStore implements EventStore {
  readonly #client: EventStoreDBClient;
  readonly #subscriptions = new Set<EsdbSubscription>();

  constructor(client: EventStoreDBClient) {
    this.#client = client;
  }

  async appendToStream(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new TypeError(`stream ${stream}: appendToStream needs at least one event`);
    // ESDB only guarantees idempotency when it can check a revision; without one it falls back on
    // a bounded cache of recent ids, so `any` and `exists` retries are detected here.
    if (expected === 'any' || expected === 'exists') {
      const earlier = await this.#earlierAppend(stream, events, expected);
      if (earlier !== undefined) return earlier;
    }
    try {
      const result = await this.#client.appendToStream(stream, events.map(toEventData), { expectedRevision: toEsdbExpected(expected) });
      return await this.#toAppendResult(stream, result);
    } catch (error) {
      if (!(error instanceof esdb().WrongExpectedVersionError)) throw error;
      // ESDB recognises a retry with the original expected revision itself, but not one made with
      // a different revision (say, after re-reading the stream): the events are there all the same.
      const earlier = await this.#earlierAppend(stream, events, expected);
      if (earlier !== undefined) return earlier;
      throw new WrongExpectedRevisionError(stream, expected, error.actualVersion);
    }
  }

  readStream(stream: string, options: { fromRevision?: bigint } = {}): Promise<RecordedEvent[]> {
    return this.#read(stream, options.fromRevision ?? esdb().START);
  }

  async *readAll(fromPosition?: Position): AsyncGenerator<RecordedEvent> {
    const after = fromPosition === undefined ? undefined : decodePosition(fromPosition);
    const read = this.#client.readAll({ fromPosition: toReadPosition(after) });
    let exhausted = false;
    try {
      for await (const { event } of read) {
        if (event !== undefined && !isForeignEvent(event) && isAfter(event, after)) yield toRecordedEvent(event);
      }
      exhausted = true;
    } finally {
      // Leaving the loop early only destroys the local stream; the server would keep sending.
      if (!exhausted) await read.cancel();
    }
  }

  subscribeToAll(fromCheckpoint?: Position, filter?: SubscriptionFilter): Subscription {
    const after = fromCheckpoint === undefined ? undefined : decodePosition(fromCheckpoint);
    const source = this.#client.subscribeToAll({ fromPosition: toReadPosition(after), filter: toServerFilter(filter) });
    const subscription = new EsdbSubscription(
      source,
      (event) =>
        !isForeignEvent(event) && isAfter(event, after) && matchesFilter({ stream: event.streamId, type: event.type }, filter),
      () => this.#subscriptions.delete(subscription),
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#client.dispose();
  }

  async #read(stream: string, fromRevision: bigint | typeof EsdbClient.START, maxCount?: number): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      for await (const { event } of this.#client.readStream(stream, { fromRevision, ...(maxCount === undefined ? {} : { maxCount }) })) {
        if (event !== undefined) events.push(toRecordedEvent(event));
      }
    } catch (error) {
      if (error instanceof esdb().StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async #toAppendResult(stream: string, result: EsdbAppendResult): Promise<AppendResult> {
    const { nextExpectedRevision } = result;
    if (result.position !== undefined) return { nextExpectedRevision, position: encodePosition(result.position.commit) };
    // Some servers answer an idempotent retry without a position; the event itself has it.
    const [last] = await this.#read(stream, nextExpectedRevision, 1);
    if (last === undefined) throw new Error(`stream ${stream}: revision ${nextExpectedRevision} was acknowledged but cannot be read`);
    return { nextExpectedRevision, position: last.position };
  }

  /**
   * The result of the earlier append of these events, if they are in the stream already. Reads the
   * whole stream: a ticket's stream is short, and an id may sit anywhere in it.
   */
  async #earlierAppend(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult | undefined> {
    const recorded = await this.#read(stream, esdb().START);
    const ids = new Set(events.map((event) => event.id));
    const start = recorded.findIndex((event) => ids.has(event.id));
    if (start === -1) return undefined;
    const run = recorded.slice(start, start + events.length);
    const last = run.at(-1);
    if (last === undefined || run.length !== events.length || run.some((event, i) => event.id !== events[i]?.id)) {
      // Some of the ids are recorded, but not as this batch: no retry, and appending would duplicate
      // them. A conflict, as the SQLite adapter reports it.
      throw new WrongExpectedRevisionError(stream, expected, recorded.at(-1)?.revision ?? 'no_stream');
    }
    return { nextExpectedRevision: last.revision, position: last.position, duplicate: true };
  }
}

/** Connects lazily: the first operation reaches the server. E.g. `esdb://localhost:2113?tls=false`. */
export function openEsdbEventStore(connectionString: string): EsdbEventStore {
  return new EsdbEventStore(esdb().EventStoreDBClient.connectionString(connectionString));
}

class EsdbSubscription implements Subscription {
  readonly #source: AllStreamSubscription;
  readonly #wanted: (event: AllStreamRecordedEvent) => boolean;
  readonly #onClose: () => void;
  #closed = false;

  constructor(source: AllStreamSubscription, wanted: (event: AllStreamRecordedEvent) => boolean, onClose: () => void) {
    this.#source = source;
    this.#wanted = wanted;
    this.#onClose = onClose;
    // The client emits server errors on the stream whether or not anyone iterates yet; unheard, an
    // 'error' event would crash the process. Destroying with it makes the (next) iteration throw it.
    source.on('error', (error) => source.destroy(error));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordedEvent> {
    try {
      for await (const { event } of this.#source) {
        if (this.#closed) return;
        if (event !== undefined && this.#wanted(event)) yield toRecordedEvent(event);
      }
    } catch (error) {
      // close() destroys the source under a pending read, which then fails with a premature close.
      if (!this.#closed) throw error;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    try {
      await this.#source.unsubscribe();
    } finally {
      this.#source.destroy();
    }
  }
}

function toEventData(event: EventToAppend) {
  return esdb().jsonEvent({ id: event.id, type: event.type, data: event.data, ...(event.metadata === undefined ? {} : { metadata: event.metadata }) });
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return esdb().NO_STREAM;
    case 'exists':
      return esdb().STREAM_EXISTS;
    case 'any':
      return esdb().ANY;
    default:
      return expected;
  }
}

/** ESDB has one server-side filter per subscription; the rest of the filter is applied here. */
function toServerFilter(filter: SubscriptionFilter | undefined): Filter {
  if (filter?.streamPrefix !== undefined) return esdb().streamNameFilter({ prefixes: [filter.streamPrefix] });
  if (filter?.eventTypes !== undefined) return esdb().eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
  return esdb().excludeSystemEvents();
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Not caseflow's, so left out of the global log: the server's own events ($-prefixed streams and
 * types: metadata, links, statistics) and, on a shared server, other applications' events that are
 * not JSON objects. A stream read still fails on the latter: there they would be corruption.
 */
function isForeignEvent(event: EsdbRecordedEvent): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$') || !isJsonObject(event.data);
}

/** ESDB starts reads and subscriptions at the given position inclusively; the port's are exclusive. */
function isAfter(event: AllStreamRecordedEvent, after: bigint | undefined): boolean {
  return after === undefined || event.position.commit > after;
}

function toReadPosition(after: bigint | undefined): ReadPosition {
  return after === undefined ? esdb().START : { commit: after, prepare: after };
}

function encodePosition(commit: bigint): Position {
  return commit.toString();
}

function decodePosition(position: Position): bigint {
  if (!/^\d+$/.test(position)) throw new Error(`not an EventStoreDB position: ${JSON.stringify(position)}`);
  return BigInt(position);
}

function toRecordedEvent(event: EsdbRecordedEvent): RecordedEvent {
  const where = `stream ${event.streamId} revision ${event.revision}`;
  if (event.position === undefined) throw new Error(`${where}: EventStoreDB sent no position (the server predates 22.10)`);
  if (!isJsonObject(event.data)) throw new Error(`${where}: data is not a JSON object`);
  return {
    id: event.id,
    stream: event.streamId,
    type: event.type,
    revision: event.revision,
    position: encodePosition(event.position.commit),
    data: event.data,
    metadata: isJsonObject(event.metadata) ? event.metadata : {},
    recordedAt: event.created.toISOString(),
  };
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
