// Builds a log of realistic ticket histories fast, for benchmarks: histories are decided by the
// real domain in memory, then written in one bulk transaction into a store-created file.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { decide, defaultDecisionPolicy, fold, initialState } from '@caseflow/domain';
import { streamOf, toStored } from '@caseflow/engine';
import { openSqliteEventStore } from '@caseflow/eventstore';

const agent = { id: 'sam', role: 'agent', tenant: 'support' };
const plans = ['business', 'enterprise', 'frontline', 'elevated'];

/** A simple deterministic PRNG so that the same seed gives the same log. */
function random(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function* history(ticketId, rnd, start) {
  const admin = { id: 'admin', role: 'customer-admin', tenant: `tenant-${Math.floor(rnd() * 50)}` };
  let now = start;
  const next = () => new Date((now += Math.floor(rnd() * 4 * 3_600_000) + 60_000));
  const plan = plans[Math.floor(rnd() * plans.length)];
  yield [{ type: 'open', ticketId, actor: admin, tenant: admin.tenant, plan, region: 'US', category: 'technical', severity: rnd() < 0.2 ? 'A' : 'B', title: 'Something is broken', contact: { email: 'admin@example.com', preferred: 'email' }, language: 'en' }, next()];
  yield [{ type: 'triage', ticketId, actor: agent, owner: 'sam' }, next()];
  for (let i = 0; i < 3; i++) {
    yield [{ type: 'note', ticketId, actor: agent, text: 'Investigating the mail flow logs for this tenant.' }, next()];
    yield [{ type: 'request-info', ticketId, actor: agent, text: 'Could you send a message trace?' }, next()];
    yield [{ type: 'customer-reply', ticketId, actor: admin, text: 'Here it is.' }, next()];
  }
  yield [{ type: 'resolve', ticketId, actor: agent, text: 'Renewed the connector certificate.' }, next()];
  yield [{ type: 'close', ticketId, actor: admin, reason: 'confirmed' }, next()];
}
export const EVENTS_PER_TICKET = 13;

/** Writes `tickets` histories into a new store file; returns the number of events. */
export async function generateLog(file, tickets, seed = 1) {
  await openSqliteEventStore(file).close(); // the store creates its own schema
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // a scratch file for a benchmark: durability is not the point here
  const insert = db.prepare('INSERT INTO events (stream, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const rnd = random(seed);
  let count = 0;
  const writeTicket = db.transaction((rows) => rows.forEach((r) => insert.run(...r)));
  for (let t = 0; t < tickets; t++) {
    const ticketId = randomUUID();
    let state = initialState;
    const rows = [];
    for (const [command, now] of history(ticketId, rnd, Date.parse('2026-01-01T00:00:00Z') + t * 60_000)) {
      const decision = decide(state, { ...command, commandId: randomUUID() }, { now, policy: defaultDecisionPolicy });
      if (!decision.ok) throw new Error(`${decision.rejection.code}: ${decision.rejection.message}`);
      state = fold(decision.events, state);
      for (const event of decision.events) {
        const stored = toStored(event);
        rows.push([streamOf(ticketId), rows.length, stored.id, stored.type, JSON.stringify(stored.data), JSON.stringify(stored.metadata), now.toISOString()]);
      }
    }
    writeTicket(rows);
    count += rows.length;
  }
  db.close();
  return count;
}
