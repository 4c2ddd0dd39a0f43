// Rebuild: every read model (the ticket list and its report facts) rebuilt from a generated log of
// at least 1M events, against a raw read + JSON.parse of the same log in the same run. Each run is
// its own process, so its peak RSS is its own: the rebuild's is printed for that log and for one
// twice its size. Memory rises while each thread fills its bounded set of tickets and V8 sizes
// its heaps (the first 2-3 s), then stays on a plateau: the goal is that twice the log peaks no
// higher (a smaller log would end its run on the rise, and compare the rise, not the plateau).
// Goals: >= 0.3x raw and >= 200k events/s.
// Usage: node bench/rebuild.mjs [--tickets 95000] [--rounds 3]
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, fsyncSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { rebuildTicketList } from '@caseflow/readmodel';
import { writeGeneratedLog } from '@caseflow/replay';
import { arg, median, report, tempDir, timed } from './lib.mjs';

const MIN_EVENTS = 1_000_000;

/** One measured run in this process; prints JSON for the parent. */
async function child(kind, file) {
  let result;
  if (kind === 'raw') {
    const db = new Database(file, { readonly: true });
    result = await timed(() => {
      let count = 0;
      for (const row of db.prepare('SELECT data, metadata FROM events ORDER BY position').iterate()) {
        JSON.parse(row.data);
        JSON.parse(row.metadata);
        count++;
      }
      return count;
    });
    db.close();
  } else {
    const store = openSqliteEventStore(file);
    result = await timed(async () => (await rebuildTicketList({ file, store })).events);
    await store.close();
  }
  console.log(JSON.stringify({ ...result, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

function measure(kind, file) {
  const script = fileURLToPath(import.meta.url);
  const { status, stdout, stderr } = spawnSync(process.execPath, [script, '--child', kind, file], { encoding: 'utf8' });
  if (status !== 0) throw new Error(`${kind} run failed: ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

/** Writes a file's data out to disk, so that the kernel is not writing back gigabytes of generated logs and copies while a run is measured. */
function flush(file) {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function generate(file, tickets) {
  const store = openSqliteEventStore(file);
  try {
    return await writeGeneratedLog(store, { tickets, seed: 7 });
  } finally {
    await store.close();
    flush(file);
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt !== -1) {
  await child(process.argv[childAt + 1], process.argv[childAt + 2]);
} else {
  const tickets = arg('tickets', 95_000);
  const rounds = arg('rounds', 3);
  const dir = tempDir('rebuild');
  const log = join(dir, 'log.db');
  const doubleLog = join(dir, 'double.db');
  const started = Date.now();
  const full = await generate(log, tickets);
  if (full.events < MIN_EVENTS) throw new Error(`the generated log has ${full.events} events; pass more --tickets for at least ${MIN_EVENTS}`);
  const double = await generate(doubleLog, tickets * 2);
  const events = (log) => log.events.toLocaleString('en-US');
  console.log(`generated ${events(full)} events (${full.tickets.toLocaleString('en-US')} tickets) and ${events(double)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  /** A fresh copy per run (a rebuild leaves its generations behind in the file), over the last one's, which disk space asks for. */
  const copyOf = (source) => {
    const copy = join(dir, 'run.db');
    for (const file of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(file, { force: true });
    copyFileSync(source, copy);
    flush(copy);
    return copy;
  };
  /** One rebuild of a fresh copy of a generated log, checked to have folded every event of it. */
  const rebuildOf = (source, generated) => {
    const rebuilt = measure('rebuild', copyOf(source));
    if (rebuilt.count !== generated.events) throw new Error(`the rebuild folded ${rebuilt.count} events of ${generated.events}`);
    return rebuilt;
  };
  const ours = [];
  const raw = [];
  const peaks = [];
  for (let round = 0; round < rounds; round++) {
    const rebuilt = rebuildOf(log, full);
    ours.push(rebuilt.rate);
    peaks.push(rebuilt.peakRssMb);
    raw.push(measure('raw', log).rate);
  }
  /** The median peak RSS of `rounds` rebuilds of a log, as for the full one. */
  const medianPeak = (source, generated) => median(Array.from({ length: rounds }, () => rebuildOf(source, generated).peakRssMb));
  const peak = median(peaks);
  const doublePeak = medianPeak(doubleLog, double);
  console.log(`${full.events.toLocaleString('en-US')} events, ${rounds} rounds, medians:`);
  report('Rebuild of the ticket list and report facts vs raw read + JSON.parse', 'events/s', median(ours), median(raw), 0.3);
  const absolute = median(ours) >= 200_000;
  console.log(`  absolute: ${Math.round(median(ours)).toLocaleString('en-US')} events/s (goal >= 200,000) ${absolute ? 'MET' : 'NOT MET'}`);
  console.log(`  peak RSS: ${peak.toFixed(0)} MB for ${events(full)} events, ${doublePeak.toFixed(0)} MB for ${events(double)}`);
  const flat = doublePeak <= peak * 1.1;
  console.log(`  memory: twice the log peaks at ${(doublePeak / peak).toFixed(2)}x (goal <= 1.10x) ${flat ? 'MET' : 'NOT MET'}`);
}
