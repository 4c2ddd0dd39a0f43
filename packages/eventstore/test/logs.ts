/** Scratch SQLite stores and interleaved logs to import into them, for the bulk-read tests. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from '@jest/globals';
import type { ImportRecord, RecordedEvent, SqliteEventStore } from '../src/index.js';
import { openSqliteEventStore } from '../src/index.js';

/** A fresh store per call, in a directory of the suite's own; each is closed after its test, the directory after the suite. */
export function scratchStores(name: string): () => SqliteEventStore {
  const dir = mkdtempSync(join(tmpdir(), `caseflow-${name}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const opened: SqliteEventStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  return () => {
    const store = openSqliteEventStore(join(dir, `${randomUUID()}.db`), { pollIntervalMs: 60_000 });
    opened.push(store);
    return store;
  };
}

const T0 = Date.parse('2026-01-05T09:00:00.000Z');

/** A record for `stream`, recorded `minute` minutes after T0. */
export function record(stream: string, minute: number, id: string = randomUUID()): ImportRecord {
  return {
    stream,
    event: { id, type: 'Happened', data: { stream, minute }, metadata: { minute } },
    recordedAt: new Date(T0 + minute * 60_000).toISOString(),
  };
}

/** `counts[name]` records for each stream, interleaved round-robin, as a live log would hold them. */
export function interleaved(counts: Record<string, number>): ImportRecord[] {
  const left = new Map(Object.entries(counts));
  const records: ImportRecord[] = [];
  while (left.size > 0) {
    for (const [stream, n] of left) {
      records.push(record(stream, records.length));
      if (n === 1) left.delete(stream);
      else left.set(stream, n - 1);
    }
  }
  return records;
}

export async function readAllOf(store: SqliteEventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll()) events.push(event);
  return events;
}
