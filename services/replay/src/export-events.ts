/**
 * Every ticket event in the global log as NDJSON or CSV, for analysts' own tools. Streamed with
 * backpressure: a slow reader holds the store read back, so memory stays flat on any log size.
 */
import type { TicketEvent } from '@caseflow/domain';
import { STREAM_PREFIX, fromStored } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';
import type { ExportOptions } from './export-stream.js';
import { checkedWindow, writeRows } from './export-stream.js';

/** The CSV columns, in order; `data` is the event's payload as JSON text. */
export const EVENT_CSV_COLUMNS = [
  'position',
  'ticket_id',
  'type',
  'version',
  'occurred_at',
  'actor_role',
  'actor_id',
  'actor_tenant',
  'command_id',
  'correlation_id',
  'causation_id',
  'data',
] as const;

interface ExportedEvent {
  position: string;
  event: TicketEvent;
}

/** The envelope as an NDJSON line carries it, in a fixed key order. */
function envelope({ event }: ExportedEvent) {
  return {
    id: event.id,
    ticketId: event.ticketId,
    type: event.type,
    version: event.version,
    occurredAt: event.occurredAt,
    actor: event.actor,
    commandId: event.commandId,
    correlationId: event.correlationId,
    causationId: event.causationId,
    data: event.data,
  };
}

function csvRow({ position, event }: ExportedEvent): string[] {
  return [
    position,
    event.ticketId,
    event.type,
    String(event.version),
    event.occurredAt,
    event.actor.role,
    event.actor.id,
    event.actor.tenant,
    event.commandId,
    event.correlationId,
    event.causationId,
    JSON.stringify(event.data),
  ];
}

/**
 * Writes every ticket event that occurred in [from, to) to `out`, one line each, upcast to its
 * current version, in the order of the global log. Resolves, with how many it wrote, once every
 * line is handed to `out` (which it leaves open: ending it is the caller's). Throws a RangeError
 * for an unknown format or an empty window before writing anything.
 */
export async function exportEvents(store: EventStore, options: ExportOptions, out: NodeJS.WritableStream): Promise<{ events: number }> {
  const inWindow = checkedWindow(options);
  async function* eventsInWindow(): AsyncGenerator<ExportedEvent> {
    for await (const record of store.readAll()) {
      if (!record.stream.startsWith(STREAM_PREFIX)) continue;
      const event = fromStored(record);
      if (inWindow(event.occurredAt)) yield { position: record.position, event };
    }
  }

  return { events: await writeRows(eventsInWindow(), options.format, { json: envelope, columns: EVENT_CSV_COLUMNS, csv: csvRow }, out) };
}
