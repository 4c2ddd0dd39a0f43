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
 * A stored ticket event as its envelope, exactly as stored: the version it was written in, not
 * upcast. What leaves the system (Kafka) carries the stored version; each reader upcasts.
 */
export function storedEnvelope(record: RecordedEvent): Record<string, unknown> {
  return envelopeOf(record.id, record.type, record.data, record.metadata);
}

function envelopeOf(id: string, type: string, data: unknown, m: Record<string, unknown>): Record<string, unknown> {
  return {
    id,
    type,
    version: m.version,
    ticketId: m.ticketId,
    occurredAt: m.occurredAt,
    actor: m.actor,
    commandId: m.commandId,
    correlationId: m.$correlationId,
    causationId: m.$causationId,
    data,
  };
}

/**
 * Reads a stored ticket event back, upcasting old versions. The store holds only what `decide`
 * produced, so the payload is trusted rather than validated again on every replay.
 */
export function fromStored(record: RecordedEvent): TicketEvent {
  return upcastEvent(storedEnvelope(record));
}

/** As fromStored, for an event whose data and metadata are still their stored JSON text (see SqliteEventStore.readRange). */
export function fromStoredText(id: string, type: string, data: string, metadata: string): TicketEvent {
  return upcastEvent(envelopeOf(id, type, JSON.parse(data), JSON.parse(metadata) as Record<string, unknown>));
}
