/**
 * What the replay tests share: a scratch directory per test file, SQLite event stores in it, a
 * real engine that must accept every command a test sends, and a log split into its tickets.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from '@jest/globals';
import type { Actor, Severity, TicketEvent } from '@caseflow/domain';
import { defaultDecisionPolicy } from '@caseflow/domain';
import { CommandEngine, fixedClock } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';

export const alice: Actor = { id: 'alice', role: 'customer-admin', tenant: 'contoso' };
export const sam: Actor = { id: 'sam', role: 'agent', tenant: 'support' };

/** A new directory under the system temp dir, removed once the test file's tests have run. */
export function scratchDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens an empty store in a new SQLite file of a scratch directory at each call; each is closed after its test. */
export function sqliteStores(prefix: string): () => EventStore {
  const dir = scratchDirectory(prefix);
  const opened: EventStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  return () => {
    const store = openSqliteEventStore(join(dir, `${randomUUID()}.db`));
    opened.push(store);
    return store;
  };
}

/** Each ticket's events under its id, in the order given (a generated log's tickets interleave). */
export function byTicket(events: Iterable<TicketEvent>): Map<string, TicketEvent[]> {
  const tickets = new Map<string, TicketEvent[]>();
  for (const event of events) {
    const history = tickets.get(event.ticketId) ?? [];
    history.push(event);
    tickets.set(event.ticketId, history);
  }
  return tickets;
}

/**
 * Hands `command`, with a new command id, to a real engine on `store` whose clock reads `now`, and
 * throws unless it is accepted. Commands go in as a caller sends them: the engine validates them.
 */
export async function accepted(store: EventStore, now: Date, command: object) {
  const engine = new CommandEngine({ store, clock: fixedClock(now), policy: defaultDecisionPolicy });
  const result = await engine.handle({ ...command, commandId: randomUUID() });
  if (!result.ok) throw new Error(`expected acceptance, got ${result.rejection.code}: ${result.rejection.message}`);
  return result;
}

/** The `open` command of alice at contoso for an enterprise technical ticket in the US (an open carries no ticket id yet). */
export const openByAlice = (severity: Severity, title: string) => ({
  type: 'open',
  actor: alice,
  tenant: 'contoso',
  plan: 'enterprise',
  region: 'US',
  category: 'technical',
  severity,
  title,
  contact: { email: 'alice@contoso.example', preferred: 'email' },
  language: 'en',
});
