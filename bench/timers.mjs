// The sla-timer's durable timer store at scale: 1M pending timers inserted (in batches, as a
// bootstrap would), the memory that takes, and the due scan the scheduler runs (take the due
// timers earliest first, a page at a time, and save each one's next state). Each is measured
// against raw better-sqlite3 doing the same rows on the same schema with the same durability
// (WAL, synchronous=FULL, one IMMEDIATE transaction per batch). Goals: memory < 1 GiB with 1M
// pending timers; insert and scan >= 0.5x raw.
// Usage: node bench/timers.mjs [--timers 1000000] [--batch 10000] [--due-fraction 0.1] [--page 1000] [--rounds 1]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { arg, median, report, tempDir, timed } from './lib.mjs';
import { SlaTimerStore } from '@caseflow/sla-timer';

const count = arg('timers', 1_000_000);
const batch = arg('batch', 10_000);
const dueFraction = arg('due-fraction', 0.1);
const page = arg('page', 1_000);
const rounds = arg('rounds', 1);
const dir = tempDir('timers');

const T0 = Date.parse('2026-11-02T09:00:00Z');
const SPREAD = 30 * 24 * 3600 * 1000;
// Ticket ids in scrambled order (as UUIDs arrive), unique by their suffix; cheap to make on both sides.
const ticketId = (i) => `${(Math.imul(i, 2654435761) >>> 0).toString(16).padStart(8, '0')}-${i.toString(36)}`;
const dueAt = (i) => T0 + ((Math.imul(i, 40503) >>> 0) % SPREAD);
const clockOf = (i) => (i % 3 === 0 ? 'resolution' : 'initial-response');
// What the scheduler's `due(now)` returns dueFraction of.
const scanNow = new Date(T0 + Math.floor(SPREAD * dueFraction));

const mib = (bytes) => bytes / 1024 / 1024;
const fileSize = (file) => ['', '-wal'].reduce((sum, suffix) => sum + (statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);

async function oursInsert(file) {
  const store = new SlaTimerStore(file);
  const result = await timed(() => {
    for (let from = 0; from < count; from += batch) {
      const timers = [];
      for (let i = from; i < Math.min(from + batch, count); i++) {
        timers.push({ ticketId: ticketId(i), revision: 3n, timer: { at: new Date(dueAt(i)), reason: 'warning', clock: clockOf(i), cycle: 0, level: 1 }, attempts: 0 });
      }
      store.saveMany(timers);
    }
    return count;
  });
  store.close();
  return result;
}

function rawDb(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE IF NOT EXISTS sla_timer_tickets (ticket_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, due_at INTEGER, reason TEXT,
      clock TEXT, cycle INTEGER, level INTEGER, attempts INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS sla_timer_due ON sla_timer_tickets (due_at) WHERE due_at IS NOT NULL;`);
  return db;
}

async function rawInsert(file) {
  const db = rawDb(file);
  const insert = db.prepare('INSERT INTO sla_timer_tickets (ticket_id, revision, due_at, reason, clock, cycle, level, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const many = db.transaction((from, to) => {
    for (let i = from; i < to; i++) insert.run(ticketId(i), 3, dueAt(i), 'warning', clockOf(i), 0, 1, 0);
  });
  const result = await timed(() => {
    for (let from = 0; from < count; from += batch) many.immediate(from, Math.min(from + batch, count));
    return count;
  });
  db.close();
  return result;
}

/** The scheduler's loop without the engine: a page of due timers, each saved with its next state (none pending), until none is due. */
async function oursScan(file) {
  const store = new SlaTimerStore(file);
  const result = await timed(() => {
    let done = 0;
    for (;;) {
      const due = store.due(scanNow, page);
      if (due.length === 0) return done;
      store.saveMany(due.map((t) => ({ ticketId: t.ticketId, revision: t.revision + 1n, timer: undefined, attempts: 0 })));
      done += due.length;
    }
  });
  store.close();
  return result;
}

async function rawScan(file) {
  const db = rawDb(file);
  const select = db.prepare('SELECT * FROM sla_timer_tickets WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?');
  const update = db.prepare('UPDATE sla_timer_tickets SET revision = ?, due_at = NULL, reason = NULL, clock = NULL, cycle = NULL, level = NULL, attempts = 0 WHERE ticket_id = ?');
  const save = db.transaction((rows) => {
    for (const row of rows) update.run(row.revision + 1, row.ticket_id);
  });
  const result = await timed(() => {
    let done = 0;
    for (;;) {
      const due = select.all(scanNow.getTime(), page);
      if (due.length === 0) return done;
      save.immediate(due);
      done += due.length;
    }
  });
  db.close();
  return result;
}

const inserts = { ours: [], raw: [] };
const scans = { ours: [], raw: [] };
let memory;
for (let round = 0; round < rounds; round++) {
  const oursFile = join(dir, `ours-${round}.db`);
  const rawFile = join(dir, `raw-${round}.db`);
  // The disk's fsync time drifts on a shared machine: alternate which side goes first.
  const sides = [
    async () => {
      inserts.ours.push((await oursInsert(oursFile)).rate);
      if (memory === undefined) {
        const { rss, heapUsed } = process.memoryUsage();
        memory = { rss, heapUsed, file: fileSize(oursFile) };
        const store = new SlaTimerStore(oursFile);
        memory.pending = store.count().pending;
        memory.nextDueAt = store.nextDueAt();
        // One scheduler query at this size: how long it takes to find the first page.
        const query = await timed(() => {
          for (let i = 0; i < 100; i++) store.due(scanNow, 100);
          return 100;
        });
        memory.queryMs = 1000 / query.rate;
        store.close();
      }
      scans.ours.push((await oursScan(oursFile)).rate);
    },
    async () => {
      inserts.raw.push((await rawInsert(rawFile)).rate);
      scans.raw.push((await rawScan(rawFile)).rate);
    },
  ];
  if (round % 2 === 1) sides.reverse();
  for (const side of sides) await side();
}

const peak = process.resourceUsage().maxRSS * 1024;
console.log(`${count.toLocaleString('en-US')} pending timers, batches of ${batch.toLocaleString('en-US')}, ${rounds} round(s), medians:`);
report('Timers inserted into SlaTimerStore vs raw better-sqlite3 inserts of the same rows', 'timers/s', median(inserts.ours), median(inserts.raw), 0.5);
report(`Due scan: ${Math.round(dueFraction * 100)} % due, pages of ${page}, each saved with its next state, vs raw SELECT + UPDATE`, 'timers/s', median(scans.ours), median(scans.raw), 0.5);
console.log(`Memory with ${memory.pending.toLocaleString('en-US')} pending timers (goal < 1024 MiB):`);
console.log(`  rss after insert: ${mib(memory.rss).toFixed(0)} MiB, heap used ${mib(memory.heapUsed).toFixed(0)} MiB, peak rss of the run ${mib(peak).toFixed(0)} MiB ${peak < 1024 ** 3 ? 'MET' : 'NOT MET'}`);
console.log(`  on disk: ${mib(memory.file).toFixed(0)} MiB (${(memory.file / memory.pending).toFixed(0)} bytes per timer, index included)`);
console.log(`  first due page (100 of ${Math.round(count * dueFraction).toLocaleString('en-US')} due): ${memory.queryMs.toFixed(2)} ms; next due ${memory.nextDueAt.toISOString()}`);
