import type { TicketEvent } from '@caseflow/domain';
import { upcastEvent } from '@caseflow/domain';
import type { EventToAppend, RecordedEvent } from '@caseflow/eventstore';

export const STREAM_PREFIX = 'ticket-';
export const streamOf = (ticketId: string) => `${STREAM_PREFIX}${ticketId}`;

/**
 * A ticket event as stored: the payload is the event's data, everything else is metadata. The
 * `$correlationId`/`$causationId` names are EventStoreDB's own, so its projections and UI see them.
 */
export function toStored(event: TicketEvent): EventToAppend {
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: {
      version: event.version,
      ticketId: event.ticketId,
      occurredAt: event.occurredAt,
      actor: event.actor,
      commandId: event.commandId,
      $correlationId: event.correlationId,
      $causationId: event.causationId,
    },
  };
}

/**
 * Reads a stored ticket event back, upcasting old versions. The store holds only what `decide`
 * produced, so the payload is trusted rather than validated again on every replay.
 */
export function fromStored(record: RecordedEvent): TicketEvent {
  const m = record.metadata;
  return upcastEvent({
    id: record.id,
    type: record.type,
    version: m.version,
    ticketId: m.ticketId,
    occurredAt: m.occurredAt,
    actor: m.actor,
    commandId: m.commandId,
    correlationId: m.$correlationId,
    causationId: m.$causationId,
    data: record.data,
  });
}
