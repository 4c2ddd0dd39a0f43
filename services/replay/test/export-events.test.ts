import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describe, expect, it } from '@jest/globals';
import { stringify } from 'csv-stringify/sync';
import type { TicketEvent } from '@caseflow/domain';
import { readHistory, streamOf } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';
import type { ExportFormat, ExportOptions } from '../src/export-stream.js';
import { EVENT_CSV_COLUMNS, exportEvents } from '../src/export-events.js';
import { accepted, alice, openByAlice, sam, sqliteStores } from './support.js';

const newStore = sqliteStores('caseflow-replay-export-');

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const minutes = (n: number) => new Date(T0 + n * 60_000);

/** Who wrote what, in the order of the global log. */
interface Written {
  store: EventStore;
  /** Every ticket event, decoded at its current version, in log order. */
  events: TicketEvent[];
  /** The global position of each of `events`. */
  positions: string[];
}

/**
 * A store holding two tickets whose events interleave in the log, a ticket opened in an old
 * event version (v1 named the follow-up link `relatedTicketId`), and an event of a stream that is
 * not a ticket's.
 */
async function populatedStore(): Promise<Written & { legacyId: string }> {
  const store = newStore();
  const accept = async (n: number, command: object) => (await accepted(store, minutes(n), command)).ticketId;
  const open = (n: number, title: string) => accept(n, openByAlice('B', title));

  const first = await open(0, 'Mail flow down');
  const second = await open(10, 'Teams, "calls" drop');
  await accept(20, { type: 'triage', ticketId: first, actor: sam, owner: 'sam' });
  await accept(30, { type: 'note', ticketId: second, actor: sam, text: 'Line one,\nline "two"', visibility: 'internal' });
  await accept(40, { type: 'request-info', ticketId: first, actor: sam, text: 'Please send a trace' });

  const legacyId = 'legacy-1';
  await store.appendToStream(
    streamOf(legacyId),
    [
      {
        id: randomUUID(),
        type: 'TicketOpened',
        data: {
          tenant: 'contoso',
          plan: 'business',
          region: 'DE',
          advancedAgreement: false,
          category: 'billing',
          severity: 'C',
          title: 'Invoice question',
          description: '',
          contact: { email: 'alice@contoso.example', preferred: 'email' },
          language: 'de',
          policy: { id: 'm365-default', version: 1 },
          relatedTicketId: first,
        },
        metadata: { version: 1, ticketId: legacyId, occurredAt: minutes(50).toISOString(), actor: alice, commandId: 'legacy-open', $correlationId: 'legacy-open', $causationId: 'legacy-open' },
      },
    ],
    'no_stream',
  );
  await store.appendToStream('checkpoint-relay', [{ id: randomUUID(), type: 'CheckpointMoved', data: { position: '3' } }], 'any');

  const events: TicketEvent[] = [];
  const positions: string[] = [];
  const byTicket = new Map<string, TicketEvent[]>();
  for (const id of [first, second, legacyId]) byTicket.set(id, (await readHistory(store, id)).map((entry) => entry.event));
  for await (const record of store.readAll()) {
    const event = byTicket.get(String(record.metadata.ticketId))?.find((candidate) => candidate.id === record.id);
    if (event === undefined) continue;
    events.push(event);
    positions.push(record.position);
  }
  return { store, events, positions, legacyId };
}

/** A writable that keeps what it is given; with `slow`, each write completes a turn of the event loop later. */
function collector({ slow = false } = {}) {
  const chunks: string[] = [];
  let mostBuffered = 0;
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      mostBuffered = Math.max(mostBuffered, out.writableLength);
      chunks.push(chunk.toString());
      if (slow) setTimeout(done, 1);
      else done();
    },
  });
  return {
    out,
    chunks,
    mostBuffered: () => mostBuffered,
    /** Everything written, once the exporter is done and the stream is ended. */
    text: async () => {
      out.end();
      await finished(out);
      return chunks.join('');
    },
  };
}

async function exported(store: EventStore, options: ExportOptions) {
  const sink = collector();
  const result = await exportEvents(store, options, sink.out);
  expect(sink.out.writableEnded).toBe(false);
  return { ...result, text: await sink.text() };
}

/** What an analyst finds under each CSV column for an event, the columns in the order they come in. */
const csvRecordOf = (event: TicketEvent, position: string) => ({
  position,
  ticket_id: event.ticketId,
  type: event.type,
  version: String(event.version),
  occurred_at: event.occurredAt,
  actor_role: event.actor.role,
  actor_id: event.actor.id,
  actor_tenant: event.actor.tenant,
  command_id: event.commandId,
  correlation_id: event.correlationId,
  causation_id: event.causationId,
  data: JSON.stringify(event.data),
});

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      records.push([...record, field]);
      record = [];
      field = '';
    } else field += c;
  }
  return records;
}

describe('exportEvents', () => {
  it('writes each ticket event as one NDJSON line, upcast to its current version, in log order', async () => {
    const { store, events, legacyId } = await populatedStore();

    const { events: count, text } = await exported(store, { format: 'ndjson' });

    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(count).toBe(6);
    expect(lines.map((line) => JSON.parse(line))).toEqual(events);
    expect(Object.keys(JSON.parse(lines[0] ?? '{}'))).toEqual([
      'id',
      'ticketId',
      'type',
      'version',
      'occurredAt',
      'actor',
      'commandId',
      'correlationId',
      'causationId',
      'data',
    ]);
    const legacy = JSON.parse(lines.find((line) => line.includes(legacyId)) ?? '{}');
    expect(legacy).toMatchObject({ version: 2, data: { followUpOf: events[0]?.ticketId } });
    expect(legacy.data).not.toHaveProperty('relatedTicketId');
    expect(text).not.toContain('CheckpointMoved');
  });

  it('writes CSV with a header row and one row per event that parses back to the events', async () => {
    const { store, events, positions } = await populatedStore();

    const { events: count, text } = await exported(store, { format: 'csv' });

    const records = events.map((event, index) => csvRecordOf(event, positions[index] ?? ''));
    const columns = Object.keys(records[0] ?? {});
    const rows = records.map((record) => Object.values(record));
    expect(count).toBe(6);
    expect(text).toBe(stringify([columns, ...rows]));
    expect(EVENT_CSV_COLUMNS).toEqual(columns);
    const [header, ...parsed] = parseCsv(text);
    expect(header).toEqual(columns);
    expect(parsed).toEqual(rows);
    expect(parsed.map((row) => JSON.parse(row[11] ?? ''))).toEqual(events.map((event) => event.data));
  });

  it('keeps the events that occurred from `from` (inclusive) until `to` (exclusive)', async () => {
    const { store } = await populatedStore();

    const { events: count, text } = await exported(store, { format: 'ndjson', from: minutes(10), to: minutes(40) });

    const inWindow = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).occurredAt);
    expect(count).toBe(3);
    expect(inWindow).toEqual([minutes(10), minutes(20), minutes(30)].map((instant) => instant.toISOString()));
    expect((await exported(store, { format: 'ndjson', from: minutes(40) })).events).toBe(2);
    expect((await exported(store, { format: 'ndjson', to: minutes(10) })).events).toBe(1);
  });

  it('writes the CSV header also when no event is in the window', async () => {
    const { store } = await populatedStore();

    const { events, text } = await exported(store, { format: 'csv', from: minutes(1_000) });

    expect(events).toBe(0);
    expect(text).toBe(`${EVENT_CSV_COLUMNS.join(',')}\n`);
  });

  it.each<ExportFormat>(['ndjson', 'csv'])('waits for a slow reader (%s): every line arrives, in order, never more than one buffered', async (format) => {
    const { store } = await populatedStore();
    const unhurried = await exported(store, { format });
    const sink = collector({ slow: true });

    const result = await exportEvents(store, { format }, sink.out);

    const text = await sink.text();
    expect(result.events).toBe(6);
    expect(text).toBe(unhurried.text);
    // One chunk per line (and the header); had the exporter ignored write() returning false, the
    // writable would have queued them all while the first was still being written.
    expect(sink.chunks).toHaveLength(format === 'csv' ? 7 : 6);
    expect(sink.mostBuffered()).toBeLessThanOrEqual(Math.max(...sink.chunks.map((chunk) => chunk.length)));
  });

  it('refuses an empty or reversed window, or an unknown format, before writing anything', async () => {
    const { store } = await populatedStore();
    const sink = collector();

    await expect(exportEvents(store, { format: 'csv', from: minutes(10), to: minutes(10) }, sink.out)).rejects.toThrow(
      new RangeError('an empty export window: from (2026-03-02T09:10:00.000Z) must be before to (2026-03-02T09:10:00.000Z)'),
    );
    await expect(exportEvents(store, { format: 'ndjson', from: minutes(20), to: minutes(10) }, sink.out)).rejects.toThrow(RangeError);
    await expect(exportEvents(store, { format: 'ndjson', from: new Date('soon') }, sink.out)).rejects.toThrow(
      new RangeError('the export window needs a valid instant for from'),
    );
    await expect(exportEvents(store, { format: 'xml' as ExportFormat }, sink.out)).rejects.toThrow(
      new RangeError('unknown export format "xml": use ndjson or csv'),
    );
    expect(await sink.text()).toBe('');
  });
});
