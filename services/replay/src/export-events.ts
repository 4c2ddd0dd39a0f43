/**
 * Every ticket event in the global log as NDJSON or CSV, for analysts' own tools. Streamed with
 * backpressure: a slow reader holds the store read back, so memory stays flat on any log size.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { TicketEvent } from '@caseflow/domain';
import { STREAM_PREFIX, fromStored } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: ExportFormat;
  /** Only events that occurred at or after this instant. */
  from?: Date;
  /** Only events that occurred before this instant. */
  to?: Date;
}

/** The CSV columns, in order; `data` is the event's payload as JSON text. */
export const CSV_COLUMNS = [
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

function checkedWindow(options: ExportOptions): { from: number; to: number } {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) {
    throw new RangeError(`unknown export format "${options.format}": use ${EXPORT_FORMATS.join(' or ')}`);
  }
  const from = options.from?.getTime() ?? Number.NEGATIVE_INFINITY;
  const to = options.to?.getTime() ?? Number.POSITIVE_INFINITY;
  if (Number.isNaN(from)) throw new RangeError('the export window needs a valid instant for from');
  if (Number.isNaN(to)) throw new RangeError('the export window needs a valid instant for to');
  if (from >= to) {
    throw new RangeError(`an empty export window: from (${options.from?.toISOString()}) must be before to (${options.to?.toISOString()})`);
  }
  return { from, to };
}

/**
 * Writes every ticket event that occurred in [from, to) to `out`, one line each, upcast to its
 * current version, in the order of the global log. Resolves, with how many it wrote, once every
 * line is handed to `out` (which it leaves open: ending it is the caller's). Throws a RangeError
 * for an unknown format or an empty window before writing anything.
 */
export async function exportEvents(store: EventStore, options: ExportOptions, out: NodeJS.WritableStream): Promise<{ events: number }> {
  const window = checkedWindow(options);
  let events = 0;
  async function* inWindow(): AsyncGenerator<ExportedEvent> {
    for await (const record of store.readAll()) {
      if (!record.stream.startsWith(STREAM_PREFIX)) continue;
      const event = fromStored(record);
      const occurredAt = Date.parse(event.occurredAt);
      if (occurredAt < window.from || occurredAt >= window.to) continue;
      events += 1;
      yield { position: record.position, event };
    }
  }

  if (options.format === 'ndjson') {
    async function* lines(): AsyncGenerator<string> {
      for await (const exported of inWindow()) yield `${JSON.stringify(envelope(exported))}\n`;
    }
    await pipeline(Readable.from(lines()), out, { end: false });
  } else {
    async function* rows(): AsyncGenerator<string[]> {
      for await (const exported of inWindow()) yield csvRow(exported);
    }
    await pipeline(Readable.from(rows()), stringify({ header: true, columns: [...CSV_COLUMNS] }), out, { end: false });
  }
  return { events };
}
