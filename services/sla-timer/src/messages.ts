import type { ReceivedMessage } from '@caseflow/bus';
import { TicketId, upcastEvent } from '@caseflow/domain';

/** The topic the relay publishes every ticket event to, keyed by ticket id. */
export const TICKET_EVENTS_TOPIC = 'caseflow.ticket-events.v1';

/** What the worker needs from a ticket-event message: which ticket changed, and up to which revision. */
export interface TicketChange {
  ticketId: string;
  /** The event's stream revision (`caseflow_revision`); undefined if the producer did not say. */
  revision: bigint | undefined;
  type: string;
}

/**
 * Reads a ticket-event message: the value is the event envelope in its stored version (upcast
 * here, so older versions are understood), the key and the `caseflow_revision` header say where
 * it belongs. Returns a reason instead when the message is not a ticket event this worker can use.
 */
export function readTicketChange(message: ReceivedMessage): TicketChange | { invalid: string } {
  let event;
  try {
    event = upcastEvent(JSON.parse(message.value.toString('utf8')));
  } catch (error) {
    return { invalid: `not a ticket event: ${error instanceof Error ? error.message : String(error)}` };
  }
  const ticketId: unknown = event.ticketId;
  if (typeof ticketId !== 'string' || !TicketId.safeParse(ticketId).success) return { invalid: `no valid ticket id in ${event.type}` };
  if (message.key !== '' && message.key !== ticketId) return { invalid: `keyed ${message.key} but about ticket ${ticketId}` };
  const header = message.headers.caseflow_revision;
  if (header !== undefined && !/^\d+$/.test(header)) return { invalid: `caseflow_revision ${header} is not a revision` };
  return { ticketId, revision: header === undefined ? undefined : BigInt(header), type: event.type };
}
