// Replay: every event of the log read through the store, decoded (upcast) and folded
// into its ticket's state, as a projection rebuild does; against a raw read + JSON.parse of the
// same rows in the same run. Goal: >= 0.3x raw.
// Usage: node bench/replay.mjs [--tickets 20000] [--rounds 5]
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fold, initialState } from '@caseflow/domain';
import { fromStored } from '@caseflow/engine';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { EVENTS_PER_TICKET, generateLog } from './generate.mjs';
import { arg, median, report, tempDir, timed } from './lib.mjs';

const tickets = arg('tickets', 20_000);
const rounds = arg('rounds', 5);
const file = join(tempDir('replay'), 'log.db');
const events = await generateLog(file, tickets);
if (events !== tickets * EVENTS_PER_TICKET) throw new Error('generator produced an unexpected log');

async function replay() {
  const store = openSqliteEventStore(file);
  const states = new Map();
  const result = await timed(async () => {
    let count = 0;
    for await (const record of store.readAll()) {
      const event = fromStored(record);
      states.set(event.ticketId, fold([event], states.get(event.ticketId) ?? initialState));
      count++;
    }
    return count;
  });
  await store.close();
  if ([...states.values()].some((s) => s.status !== 'closed')) throw new Error('replay ended with an unexpected state');
  return result;
}

function raw() {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT id, stream, revision, type, data, metadata FROM events ORDER BY position');
  return timed(() => {
    let count = 0;
    for (const row of rows.iterate()) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
      count++;
    }
    return count;
  }).finally(() => db.close());
}

await replay();
await raw();
const ours = [];
const baseline = [];
for (let round = 0; round < rounds; round++) {
  ours.push((await replay()).rate);
  baseline.push((await raw()).rate);
}
console.log(`${events.toLocaleString('en-US')} events (${tickets.toLocaleString('en-US')} tickets), ${rounds} rounds, medians:`);
report('Replay through the store, decoder and fold vs raw read + JSON.parse', 'events/s', median(ours), median(baseline), 0.3);
