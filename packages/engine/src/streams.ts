import type { EventStore, Position, RecordedEvent } from '@caseflow/eventstore';
import { SqliteEventStore } from '@caseflow/eventstore';
import { STREAM_PREFIX } from './codec.js';

export interface TicketStreamsOptions {
  /** Start after the ticket stream of this name (exclusive): where an interrupted pass left off. */
  after?: string;
  /** Only these ticket streams (sorted by name). */
  only?: readonly string[];
}

/** The distinct ticket streams with events after `position` (all of them without it), sorted: O(tickets) names, never their events. */
export async function ticketStreamsAfter(store: EventStore, position?: Position): Promise<string[]> {
  const streams = new Set<string>();
  for await (const { stream } of store.readAll(position)) if (stream.startsWith(STREAM_PREFIX)) streams.add(stream);
  return [...streams].sort();
}

/**
 * Every ticket's whole stream, one array per ticket, in stream name order: what folds one ticket
 * at a time read (rebuilds, what-if replays), so memory holds one ticket's events whatever the
 * log's size. SQLite reads them straight from its (stream, revision) index; another store is
 * read stream by stream after one pass over the log for their names.
 */
export async function* readTicketStreams(store: EventStore, options: TicketStreamsOptions = {}): AsyncIterable<RecordedEvent[]> {
  const after = options.after ?? '';
  if (options.only === undefined && store instanceof SqliteEventStore) {
    yield* store.readStreamsInOrder(STREAM_PREFIX, { after });
    return;
  }
  for (const stream of options.only ?? (await ticketStreamsAfter(store))) {
    if (stream <= after) continue;
    const records = await store.readStream(stream);
    if (records.length > 0) yield records;
  }
}
