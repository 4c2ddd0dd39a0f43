/**
 * TicketTables.keyRows: a full rebuild writes rows without keys, a ticket again whenever it folds
 * more of it; keyRows keeps each ticket's last row and facts, whether or not it was told which
 * tickets were written again (a resumed rebuild cannot know of rows an interrupted one wrote).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { openSqliteFile } from '@caseflow/sqlite';
import type { StoredTicket, TicketRow } from '../src/tables.js';
import { TicketTables } from '../src/tables.js';
import { scratchDirectory } from './world.js';

const scratch = scratchDirectory();
afterAll(() => scratch.remove());

const GENERATION = 2;

function stored(id: string, revision: number): StoredTicket {
  const row: TicketRow = {
    id,
    tenant: 'contoso',
    state: 'triaged',
    severity: 'B',
    category: 'technical',
    plan: 'business',
    region: 'US',
    title: `ticket ${id}`,
    owner: null,
    escalation_level: 0,
    revision,
    opened_at: '2026-11-02T09:00:00.000Z',
    opened_ms: Date.parse('2026-11-02T09:00:00.000Z'),
    closed_at: null,
    last_event_at: '2026-11-02T09:00:00.000Z',
    breach_ms: null,
  };
  return { row, facts: JSON.stringify([`facts of ${id} at ${revision}`]) };
}

/** Writes the tickets as a full rebuild does, keys the rows, and reads back each ticket's revision and facts. */
function keyedAfterWriting(tickets: readonly StoredTicket[], rewritten: ReadonlySet<string>) {
  const { db, file } = openSqliteFile(scratch.file());
  try {
    const tables = new TicketTables(db, file, GENERATION, { deferIndexes: true, deferKeys: true });
    db.transaction(() => tickets.forEach((ticket) => tables.saveStored(ticket, { replacing: false })))();
    db.transaction(() => tables.keyRows(rewritten)).immediate();
    const rows = db.prepare(`SELECT t.id, t.revision, f.facts FROM ticket_list_${GENERATION}_tickets t JOIN ticket_list_${GENERATION}_facts f ON f.id = t.id ORDER BY t.id`).all();
    const counts = db.prepare(`SELECT (SELECT count(*) FROM ticket_list_${GENERATION}_tickets) AS tickets, (SELECT count(*) FROM ticket_list_${GENERATION}_facts) AS facts`).get();
    // Keyed, a ticket written again replaces its row, as the live list's upserts need.
    tables.saveStored(stored('a', 9), { replacing: true });
    const rowsOfA = db.prepare(`SELECT revision FROM ticket_list_${GENERATION}_tickets WHERE id = 'a'`).all();
    return { rows, counts, rowsOfA };
  } finally {
    db.close();
  }
}

const lastOfEach = [
  { id: 'a', revision: 3, facts: JSON.stringify(['facts of a at 3']) },
  { id: 'b', revision: 1, facts: JSON.stringify(['facts of b at 1']) },
  { id: 'c', revision: 5, facts: JSON.stringify(['facts of c at 5']) },
];
const writtenAgain = [stored('a', 1), stored('b', 1), stored('c', 2), stored('a', 3), stored('c', 4), stored('c', 5)];

describe('TicketTables.keyRows', () => {
  it('given each ticket written once, keys the rows as they are', () => {
    const result = keyedAfterWriting([stored('a', 3), stored('b', 1), stored('c', 5)], new Set());

    expect(result.rows).toEqual(lastOfEach);
    expect(result.counts).toEqual({ tickets: 3, facts: 3 });
    expect(result.rowsOfA).toEqual([{ revision: 9 }]);
  });

  it('given tickets written again and named, keeps the last row and facts of each', () => {
    const result = keyedAfterWriting(writtenAgain, new Set(['a', 'c']));

    expect(result.rows).toEqual(lastOfEach);
    expect(result.counts).toEqual({ tickets: 3, facts: 3 });
    expect(result.rowsOfA).toEqual([{ revision: 9 }]);
  });

  it('given tickets written again that nobody named (a resumed rebuild), still keeps the last row and facts of each', () => {
    const result = keyedAfterWriting(writtenAgain, new Set(['a']));

    expect(result.rows).toEqual(lastOfEach);
    expect(result.counts).toEqual({ tickets: 3, facts: 3 });
    expect(result.rowsOfA).toEqual([{ revision: 9 }]);
  });
});
