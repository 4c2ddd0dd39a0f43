// Commands per second through the whole engine (load, decide, append with expected revision) on
// the SQLite store, against raw INSERTs of the very same rows with the same durability settings
// (WAL, synchronous=FULL, one IMMEDIATE transaction per command). Goal: >= 0.5x raw.
// Usage: node bench/engine-commands.mjs [--tickets 500] [--rounds 5]
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { defaultDecisionPolicy } from '@caseflow/domain';
import { CommandEngine } from '@caseflow/engine';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { arg, median, report, tempDir, timed } from './lib.mjs';

const tickets = arg('tickets', 500);
const rounds = arg('rounds', 5);
const dir = tempDir('engine');

const admin = { id: 'alice', role: 'customer-admin', tenant: 'contoso' };
const agent = { id: 'sam', role: 'agent', tenant: 'support' };
const lifecycle = (ticketId) => [
  { type: 'open', ticketId, actor: admin, tenant: 'contoso', plan: 'enterprise', region: 'US', category: 'technical', severity: 'B', title: 'Mail flow down', contact: { email: 'alice@contoso.example', preferred: 'email' }, language: 'en' },
  { type: 'triage', ticketId, actor: agent, severity: 'A', owner: 'sam' },
  { type: 'request-info', ticketId, actor: agent, text: 'Please send a message trace.' },
  { type: 'customer-reply', ticketId, actor: admin, text: 'Attached.' },
  { type: 'note', ticketId, actor: agent, text: 'Certificate expired on the connector.' },
  { type: 'resolve', ticketId, actor: agent, text: 'Renewed the certificate.' },
  { type: 'close', ticketId, actor: admin, reason: 'confirmed' },
];

async function engineRun(file) {
  const store = openSqliteEventStore(file);
  let now = Date.parse('2026-11-02T09:00:00Z');
  const engine = new CommandEngine({ store, clock: { now: () => new Date(now) }, policy: defaultDecisionPolicy });
  const ids = Array.from({ length: tickets }, () => randomUUID());
  const result = await timed(async () => {
    let count = 0;
    // Tickets interleave, as they do in real traffic: one step of each ticket, then the next step.
    for (let step = 0; step < 7; step++) {
      for (const ticketId of ids) {
        now += 1000;
        const r = await engine.handle({ ...lifecycle(ticketId)[step], commandId: randomUUID() });
        if (!r.ok) throw new Error(`${r.rejection.code}: ${r.rejection.message}`);
        count++;
      }
    }
    return count;
  });
  await store.close();
  return result;
}

function rawRun(sourceFile, file) {
  const source = new Database(sourceFile, { readonly: true });
  const rows = source.prepare('SELECT stream, revision, id, type, data, metadata, recorded_at FROM events ORDER BY position').raw().all();
  source.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, revision INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, UNIQUE (stream, revision))`);
  const insert = db.prepare('INSERT INTO events (stream, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const one = db.transaction((row) => insert.run(...row));
  return timed(() => {
    for (const row of rows) one.immediate(row);
    return rows.length;
  }).finally(() => db.close());
}

// One discarded round first, so both sides are measured with warm code paths and a warm disk cache.
await rawRun(await engineRun(join(dir, 'warmup.db')).then(() => join(dir, 'warmup.db')), join(dir, 'warmup-raw.db'));
const ours = [];
const raw = [];
// The disk's fsync time drifts a lot on a shared machine: alternate which side goes first.
let previous = join(dir, 'warmup.db');
for (let round = 0; round < rounds; round++) {
  const engineFile = join(dir, `engine-${round}.db`);
  if (round % 2 === 1) raw.push((await rawRun(previous, join(dir, `raw-${round}.db`))).rate);
  ours.push((await engineRun(engineFile)).rate);
  if (round % 2 === 0) raw.push((await rawRun(engineFile, join(dir, `raw-${round}.db`))).rate);
  previous = engineFile;
}
console.log(`${tickets * 7} commands per round, ${rounds} rounds, medians:`);
report('Commands through the engine on SQLite vs raw inserts of the same rows', 'commands/s', median(ours), median(raw), 0.5);
