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

type Brief<E extends TicketEvent> = E extends unknown ? Pick<E, 'id' | 'type' | 'version' | 'occurredAt' | 'data'> : never;
/** A ticket event as a reader of its type, version, instant and data alone sees it: no ticket id, actor, command or correlation ids. */
export type BriefTicketEvent = Brief<TicketEvent>;

/**
 * The head of a ticket event's metadata as toStored writes it (JSON.stringify keeps its key
 * order): the version, the ticket id and the instant, each without escapes. Anything else (another
 * order, escaped characters) does not match, and is parsed whole.
 */
const METADATA_HEAD = /^\{"version":(0|[1-9]\d*),"ticketId":"[^"\\]*","occurredAt":"([^"\\]*)"[,}]/;

/**
 * A copy of a string cut from a longer one, holding nothing else alive: V8 makes a long substring
 * a view into the string it was cut from, and a fold keeps each event's instant as long as its
 * ticket, which would keep the whole metadata text with it. JSON.parse makes its strings anew, and
 * costs a fraction of what parsing the metadata did; `text` has no quote or backslash (see
 * METADATA_HEAD), so quoted it is a JSON string.
 */
const detached = (text: string): string => JSON.parse(`"${text}"`) as string;

/**
 * As fromStoredText, for a reader of the event's type, version, instant and data alone (a
 * whole-log fold, after a ticket's TicketOpened). Metadata as toStored wrote it is read from its
 * head, and the rest (the actor, the command and correlation ids) is neither parsed nor checked:
 * that is most of its text, and parsing it took a fifth of a million-event rebuild's decoding. So,
 * like fromStored, it trusts what caseflow stored: metadata damaged after its head is read as if
 * whole, and of a key written twice in the head the first counts, where JSON.parse keeps the last.
 */
export function briefFromStoredText(id: string, type: string, data: string, metadata: string): BriefTicketEvent {
  const head = METADATA_HEAD.exec(metadata);
  const { version, occurredAt } =
    head === null ? (JSON.parse(metadata) as Record<string, unknown>) : { version: Number(head[1]), occurredAt: detached(head[2] as string) };
  return upcastEvent({ id, type, version, occurredAt, data: JSON.parse(data) as unknown });
}
