import type { TicketEvent, TicketState } from '@caseflow/domain';
import { evolve, fold, initialState } from '@caseflow/domain';
import type { EventStore } from '@caseflow/eventstore';
import { fromStored, streamOf } from './codec.js';
import type { TicketView } from './view.js';
import { ticketView } from './view.js';

export interface HistoryEntry {
  event: TicketEvent;
  revision: bigint;
  /** The ticket right after this event. */
  stateAfter: TicketView;
}

/** A ticket's events, each with the ticket as it stood after it. Empty when there is no such ticket. */
export async function readHistory(store: EventStore, ticketId: string): Promise<HistoryEntry[]> {
  const records = await store.readStream(streamOf(ticketId));
  let state: TicketState = initialState;
  return records.map((record) => {
    const event = fromStored(record);
    state = evolve(state, event);
    return { event, revision: record.revision, stateAfter: ticketView(state, record.revision) as TicketView };
  });
}

/** The ticket as it was at an instant, or undefined if it had not been opened by then (or does not exist). */
export async function readTicketAt(store: EventStore, ticketId: string, instant: Date): Promise<TicketView | undefined> {
  const records = await store.readStream(streamOf(ticketId));
  // Events are stored in the order they occurred (decide refuses time running backwards), so
  // what had happened by the instant is a prefix of the stream.
  const happened = records.map(fromStored).filter((event) => Date.parse(event.occurredAt) <= instant.getTime());
  return happened.length === 0 ? undefined : ticketView(fold(happened), BigInt(happened.length - 1));
}
