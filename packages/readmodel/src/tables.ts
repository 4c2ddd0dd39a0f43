import type { TicketFacts } from '@caseflow/analytics';
import type { Category, LifecycleState, Plan, Severity, TicketEvent } from '@caseflow/domain';
import type { Position } from '@caseflow/eventstore';
import type { SqliteDatabase } from '@caseflow/sqlite';
import { migrateSchema } from '@caseflow/sqlite';
import type { ProjectedTicket, TicketProgress } from './projection.js';
import type { CheckedQuery, TicketPage, TicketSummary } from './query.js';
import { writeCursor } from './query.js';
import { decodeFacts, encodeFacts } from './facts-codec.js';

/**
 * 2: the report facts beside each generation's rows, and the state of an unfinished rebuild.
 * 3: the facts in their compact form (see encodeFacts).
 */
const SCHEMA_VERSION = 3;

/**
 * The catalogue of generations: each generation is a complete set of list tables with its own
 * checkpoint, so a rebuild can fill a fresh one while the live one keeps serving, then swap.
 */
function migrateCatalogue(db: SqliteDatabase, from: number): void {
  if (from < 1) {
    db.exec(`
      CREATE TABLE ticket_list_generations (
        generation INTEGER PRIMARY KEY,
        checkpoint TEXT,
        live INTEGER NOT NULL DEFAULT 0
      );`);
  }
  // Facts tables of existing generations are created and filled when a list opens them (see TicketList).
  if (from < 2) db.exec('ALTER TABLE ticket_list_generations ADD COLUMN rebuild TEXT');
  if (from === 2) recodeFacts(db);
}

/** Rewrites the facts of every generation that has them from JSON objects (schema 2) to their compact form. */
function recodeFacts(db: SqliteDatabase): void {
  const generations = db.prepare<[], { generation: number }>('SELECT generation FROM ticket_list_generations').all();
  for (const { generation } of generations) {
    const facts = tableOf(generation, 'facts');
    if (db.prepare<[string]>("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(facts) === undefined) continue;
    const recode = db.prepare<[string, number]>(`UPDATE ${facts} SET facts = ? WHERE rowid = ?`);
    const page = db.prepare<[number], { rowid: number; facts: string }>(`SELECT rowid, facts FROM ${facts} WHERE rowid > ? ORDER BY rowid LIMIT 1000`);
    for (let rows = page.all(0); rows.length > 0; rows = page.all(rows.at(-1)?.rowid ?? 0)) {
      for (const row of rows) recode.run(encodeFacts(JSON.parse(row.facts) as TicketFacts), row.rowid);
    }
  }
}

const liveGeneration = (db: SqliteDatabase) =>
  db.prepare<[], { generation: number }>('SELECT generation FROM ticket_list_generations WHERE live = 1').get()?.generation;

const GENERATION_PARTS = ['tickets', 'histories', 'facts'] as const;
const tableOf = (generation: number, part: (typeof GENERATION_PARTS)[number]) => `ticket_list_${generation}_${part}`;

export interface TicketRow {
  id: string;
  tenant: string;
  state: string;
  severity: string;
  category: string;
  plan: string;
  region: string;
  title: string;
  owner: string | null;
  escalation_level: number;
  revision: number;
  opened_at: string;
  opened_ms: number;
  closed_at: string | null;
  last_event_at: string;
  breach_ms: number | null;
}

const ROW_COLUMNS = [
  'id',
  'tenant',
  'state',
  'severity',
  'category',
  'plan',
  'region',
  'title',
  'owner',
  'escalation_level',
  'revision',
  'opened_at',
  'opened_ms',
  'closed_at',
  'last_event_at',
  'breach_ms',
] as const satisfies readonly (keyof TicketRow)[];
type RowValues = TicketRow[keyof TicketRow][];
const rowValues = (row: TicketRow): RowValues => ROW_COLUMNS.map((column) => row[column]);

/**
 * A folded ticket as a rebuild writes it: its row and its facts (JSON), without the compact
 * history, which the list reads from the ticket's stream the first time it needs it. Plain data,
 * so that it crosses from a worker thread as it is.
 */
export interface StoredTicket {
  row: TicketRow;
  facts: string | null;
}

export const storedTicketOf = (projected: ProjectedTicket): StoredTicket => ({
  row: toRow(projected),
  facts: projected.facts === undefined ? null : encodeFacts(projected.facts),
});

function toRow({ status, ticket, revision, breachAt }: ProjectedTicket): TicketRow {
  return {
    id: ticket.id,
    tenant: ticket.tenant,
    state: status,
    severity: ticket.severity,
    category: ticket.category,
    plan: ticket.plan,
    region: ticket.region,
    title: ticket.title,
    owner: ticket.owner ?? null,
    escalation_level: ticket.escalationLevel,
    revision: Number(revision),
    opened_at: ticket.openedAt,
    opened_ms: Date.parse(ticket.openedAt),
    closed_at: ticket.closedAt ?? null,
    last_event_at: ticket.lastEventAt,
    breach_ms: breachAt?.getTime() ?? null,
  };
}

function fromRow(row: TicketRow, nowMs: number): TicketSummary {
  return {
    id: row.id,
    tenant: row.tenant,
    state: row.state as LifecycleState,
    severity: row.severity as Severity,
    category: row.category as Category,
    plan: row.plan as Plan,
    region: row.region,
    title: row.title,
    ...(row.owner === null ? {} : { owner: row.owner }),
    escalationLevel: row.escalation_level,
    revision: row.revision,
    openedAt: row.opened_at,
    ...(row.closed_at === null ? {} : { closedAt: row.closed_at }),
    lastEventAt: row.last_event_at,
    ...(row.breach_ms === null ? {} : { breachAt: new Date(row.breach_ms).toISOString() }),
    breached: row.breach_ms !== null && row.breach_ms <= nowMs,
  };
}

/** How a rebuild that fills a generation first has its tables made: see TicketTables. */
export interface DeferredIndexes {
  deferIndexes?: boolean;
  deferKeys?: boolean;
}

/**
 * The list's rows: summaries in one table, indexed for the filters and the list order (openedAt
 * descending, id descending), and the compact histories apply needs in another, so that listing
 * never reads them. A rebuild fills them before it creates the indexes (see `deferIndexes`): one
 * sort at the end costs less than keeping five indexes ordered through every insert.
 */
function createGeneration(db: SqliteDatabase, generation: number, { deferIndexes = false, deferKeys = false }: DeferredIndexes): void {
  const tickets = tableOf(generation, 'tickets');
  const key = deferKeys ? 'NOT NULL' : 'PRIMARY KEY';
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${tickets} (
      id TEXT ${key},
      tenant TEXT NOT NULL,
      state TEXT NOT NULL,
      severity TEXT NOT NULL,
      category TEXT NOT NULL,
      plan TEXT NOT NULL,
      region TEXT NOT NULL,
      title TEXT NOT NULL,
      owner TEXT,
      escalation_level INTEGER NOT NULL,
      revision INTEGER NOT NULL,
      opened_at TEXT NOT NULL,
      opened_ms INTEGER NOT NULL,
      closed_at TEXT,
      last_event_at TEXT NOT NULL,
      breach_ms INTEGER
    );
    CREATE TABLE IF NOT EXISTS ${tableOf(generation, 'histories')} (
      id TEXT PRIMARY KEY,
      events TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${tableOf(generation, 'facts')} (
      id TEXT ${key},
      facts TEXT NOT NULL
    );`);
  if (deferIndexes) return;
  db.exec(`
    CREATE INDEX IF NOT EXISTS ${tickets}_by_opened ON ${tickets} (opened_ms, id);
    CREATE INDEX IF NOT EXISTS ${tickets}_by_tenant ON ${tickets} (tenant, opened_ms, id);
    CREATE INDEX IF NOT EXISTS ${tickets}_by_state ON ${tickets} (state, opened_ms, id);
    CREATE INDEX IF NOT EXISTS ${tickets}_by_owner ON ${tickets} (owner, opened_ms, id) WHERE owner IS NOT NULL;
    CREATE INDEX IF NOT EXISTS ${tickets}_by_breach ON ${tickets} (breach_ms) WHERE breach_ms IS NOT NULL;`);
}

/** Whether a unique index (a primary key's included) is on the table's id alone. */
const hasUniqueIds = (db: SqliteDatabase, table: string): boolean =>
  db
    .prepare<[string]>(
      `SELECT 1 FROM pragma_index_list(?) AS list, pragma_index_info(list.name) AS info
        WHERE list."unique" = 1 GROUP BY list.name HAVING count(*) = 1 AND max(info.name) = 'id'`,
    )
    .get(table) !== undefined;

const prepareListing = (db: SqliteDatabase, sql: string) => db.prepare<(string | number)[], TicketRow>(sql);

const toProgress = (row: { revision: number; events: string }): TicketProgress => ({
  revision: BigInt(row.revision),
  history: JSON.parse(row.events) as TicketEvent[],
});

/** What the list holds of a ticket; `history` is undefined for a row a rebuild wrote (see StoredTicket). */
export interface StoredProgress {
  revision: bigint;
  history: TicketEvent[] | undefined;
}

/** One generation of the ticket list's tables in the shared SQLite file. */
export class TicketTables {
  readonly generation: number;
  private readonly tickets: string;
  private readonly factsTable: string;
  private readonly statements;
  /** Made with `deferKeys` and not yet keyed (see keyRows). */
  private keyless: boolean;
  /** Listing statements, one per combination of filters. */
  private readonly listings = new Map<string, ReturnType<typeof prepareListing>>();

  /**
   * Opens `generation`, or the live one (1 on a new file), creating its tables. `deferIndexes`
   * leaves the listing indexes out, for a rebuild that fills the tables first: whoever opens the
   * generation next without it creates them. `deferKeys` makes new tables without their unique
   * ticket ids, for a rebuild that writes a ticket again only later in the log: rows then go in
   * in the order they come instead of each into a random place of two id indexes, which made the
   * writes a third cheaper; `keyRows` keeps each ticket's last row and adds the keys.
   */
  constructor(
    private readonly db: SqliteDatabase,
    file: string,
    generation?: number,
    deferred: DeferredIndexes = {},
  ) {
    if (generation !== undefined && (!Number.isSafeInteger(generation) || generation < 1)) {
      throw new RangeError(`a ticket list generation is a positive integer; got ${generation}`);
    }
    migrateSchema(db, file, { component: 'readmodel', table: 'readmodel_schema', version: SCHEMA_VERSION, create: migrateCatalogue });
    this.generation = db
      .transaction(() => {
        const chosen = generation ?? liveGeneration(db) ?? 1;
        createGeneration(db, chosen, deferred);
        // The first generation of a file is live from the start; later ones wait for makeLive.
        db.prepare(
          'INSERT INTO ticket_list_generations (generation, live) VALUES (?, NOT EXISTS (SELECT 1 FROM ticket_list_generations WHERE live = 1)) ON CONFLICT DO NOTHING',
        ).run(chosen);
        return chosen;
      })
      .immediate();
    this.tickets = tableOf(this.generation, 'tickets');
    // From the table itself: a rebuild resumed by a later version may find tables made either way.
    this.keyless = !hasUniqueIds(db, this.tickets);
    const histories = tableOf(this.generation, 'histories');
    this.factsTable = tableOf(this.generation, 'facts');
    this.statements = {
      progress: db.prepare<[string], { revision: number; events: string | null }>(
        `SELECT t.revision, h.events FROM ${this.tickets} t LEFT JOIN ${histories} h ON h.id = t.id WHERE t.id = ?`,
      ),
      dropHistory: db.prepare<[string]>(`DELETE FROM ${histories} WHERE id = ?`),
      dropFacts: db.prepare<[string]>(`DELETE FROM ${this.factsTable} WHERE id = ?`),
      // Positional, with the values listed in rowValues: binding a row by name cost a third more.
      saveTicket: db.prepare<RowValues>(`INSERT OR REPLACE INTO ${this.tickets} (${ROW_COLUMNS.join(', ')}) VALUES (${ROW_COLUMNS.map(() => '?').join(', ')})`),
      saveHistory: db.prepare<[string, string]>(`INSERT OR REPLACE INTO ${histories} (id, events) VALUES (?, ?)`),
      saveFacts: db.prepare<[string, string]>(`INSERT OR REPLACE INTO ${this.factsTable} (id, facts) VALUES (?, ?)`),
      // Without keys, a ticket's facts share its row's rowid, so that keyRows finds stale facts by its stale rows.
      appendFacts: db.prepare<[number | bigint, string, string]>(`INSERT INTO ${this.factsTable} (rowid, id, facts) VALUES (?, ?, ?)`),
      allFacts: db.prepare<[], { id: string; facts: string }>(`SELECT id, facts FROM ${this.factsTable} ORDER BY id`),
      // From the histories: a rebuilt generation has none (and all its facts), so it takes no scan of its rows.
      withoutFacts: db.prepare<[string, number], { id: string; revision: number; events: string }>(
        `SELECT t.id, t.revision, h.events FROM ${histories} h CROSS JOIN ${this.tickets} t ON t.id = h.id
          WHERE h.id > ? AND NOT EXISTS (SELECT 1 FROM ${this.factsTable} f WHERE f.id = h.id) ORDER BY h.id LIMIT ?`,
      ),
      saveRebuild: db.prepare<[string | null, number]>('UPDATE ticket_list_generations SET rebuild = ? WHERE generation = ?'),
      checkpoint: db.prepare<[number], { checkpoint: string | null }>('SELECT checkpoint FROM ticket_list_generations WHERE generation = ?'),
      saveCheckpoint: db.prepare<[string, number]>('UPDATE ticket_list_generations SET checkpoint = ? WHERE generation = ?'),
      makeLive: db.prepare<[number]>('UPDATE ticket_list_generations SET live = (generation = ?)'),
      count: db.prepare<[], { rows: number }>(`SELECT count(*) AS rows FROM ${this.tickets}`),
    };
  }

  progress(ticketId: string): StoredProgress | undefined {
    const row = this.statements.progress.get(ticketId);
    if (row === undefined) return undefined;
    const { revision, events } = row;
    return events === null ? { revision: BigInt(revision), history: undefined } : toProgress({ revision, events });
  }

  /** Writes a rebuilt ticket; a history kept for it (rows copied from another generation) is dropped, since the row may be newer. */
  saveStored({ row, facts }: StoredTicket, { replacing }: { replacing: boolean }): void {
    const { lastInsertRowid } = this.statements.saveTicket.run(...rowValues(row));
    if (this.keyless) {
      if (facts !== null) this.statements.appendFacts.run(lastInsertRowid, row.id, facts);
    } else if (facts === null) {
      if (replacing) this.statements.dropFacts.run(row.id);
    } else this.statements.saveFacts.run(row.id, facts);
    if (replacing) this.statements.dropHistory.run(row.id);
  }

  save(projected: ProjectedTicket): void {
    this.statements.saveTicket.run(...rowValues(toRow(projected)));
    this.statements.saveHistory.run(projected.ticket.id, JSON.stringify(projected.history));
    if (projected.facts !== undefined) this.saveFacts(projected.facts);
  }

  saveFacts(facts: TicketFacts): void {
    this.statements.saveFacts.run(facts.ticketId, encodeFacts(facts));
  }

  /** Every ticket's report facts, in ticket id order. */
  *facts(): IterableIterator<TicketFacts> {
    for (const { id, facts } of this.statements.allFacts.iterate()) yield decodeFacts(id, facts);
  }

  /** Up to `limit` tickets after `afterId` whose facts are missing: those of a generation written before facts were kept. */
  withoutFacts(afterId: string, limit: number): (TicketProgress & { id: string })[] {
    return this.statements.withoutFacts.all(afterId, limit).map((row) => ({ id: row.id, ...toProgress(row) }));
  }

  /** Keeps what an unfinished rebuild of this generation has done, for `Generations.unfinishedRebuild`; undefined clears it. */
  saveRebuildState(state: string | undefined): void {
    this.statements.saveRebuild.run(state ?? null, this.generation);
  }

  /**
   * Keeps each ticket's last written row (and facts) and makes the ids unique, for tables made with
   * `deferKeys`; keyed tables are left as they are. `rewritten` names the tickets known to have
   * older rows: those are dropped by id, which costs a scan; a rebuild that resumes an interrupted
   * one can also hold rows it does not know of, and only then are all rows sorted by id to find them.
   */
  keyRows(rewritten: ReadonlySet<string>): void {
    if (!this.keyless) return;
    if (rewritten.size > 0) this.dropStaleRows(JSON.stringify([...rewritten]));
    const keyTickets = `CREATE UNIQUE INDEX IF NOT EXISTS ${this.tickets}_id_key ON ${this.tickets} (id)`;
    try {
      this.db.exec(keyTickets);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
      this.dropStaleRows(undefined);
      this.db.exec(keyTickets);
    }
    this.db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS ${this.factsTable}_id_key ON ${this.factsTable} (id)`);
    this.keyless = false;
  }

  /** Drops every row but the last of each ticket, among the ids of a JSON array, or among all without one; and the facts at their rowids. */
  private dropStaleRows(ids: string | undefined): void {
    const among = ids === undefined ? '' : 'WHERE id IN (SELECT value FROM json_each(@ids))';
    // One scan of the rows, not two (rows, then each id's last row): half the time.
    const collect = this.db.prepare(
      `CREATE TEMP TABLE stale_rows AS
        SELECT stale FROM (SELECT rowid AS stale, rowid < max(rowid) OVER (PARTITION BY id) AS older FROM ${this.tickets} ${among}) WHERE older`,
    );
    if (ids === undefined) collect.run();
    else collect.run({ ids });
    this.db.exec(`
      DELETE FROM ${this.factsTable} WHERE rowid IN (SELECT stale FROM stale_rows);
      DELETE FROM ${this.tickets} WHERE rowid IN (SELECT stale FROM stale_rows);
      DROP TABLE stale_rows;`);
  }

  checkpoint(): Position | undefined {
    return this.statements.checkpoint.get(this.generation)?.checkpoint ?? undefined;
  }

  saveCheckpoint(position: Position): void {
    this.statements.saveCheckpoint.run(position, this.generation);
  }

  makeLive(): void {
    this.statements.makeLive.run(this.generation);
  }

  count(): number {
    return this.statements.count.get()?.rows ?? 0;
  }

  list({ filter, limit, after }: CheckedQuery): TicketPage {
    const conditions: string[] = [];
    const parameters: (string | number)[] = [];
    const where = (condition: string, ...values: (string | number)[]) => {
      conditions.push(condition);
      parameters.push(...values);
    };
    if (filter.tenants !== undefined) where('tenant IN (SELECT value FROM json_each(?))', JSON.stringify(filter.tenants));
    if (filter.tenant !== undefined) where('tenant = ?', filter.tenant);
    if (filter.state !== undefined) where('state = ?', filter.state);
    if (filter.severity !== undefined) where('severity = ?', filter.severity);
    if (filter.owner !== undefined) where('owner = ?', filter.owner);
    if (filter.breached === true) where('breach_ms <= ?', filter.nowMs);
    if (filter.breached === false) where('(breach_ms IS NULL OR breach_ms > ?)', filter.nowMs);
    if (after !== undefined) where('(opened_ms, id) < (?, ?)', after.openedMs, after.id);
    const sql = `SELECT * FROM ${this.tickets} ${conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`}
      ORDER BY opened_ms DESC, id DESC LIMIT ?`;
    let statement = this.listings.get(sql);
    if (statement === undefined) {
      statement = prepareListing(this.db, sql);
      this.listings.set(sql, statement);
    }
    // One row more than the page tells whether another page follows.
    const rows = statement.all(...parameters, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const items = page.map((row) => fromRow(row, filter.nowMs));
    return rows.length > limit && last !== undefined ? { items, nextCursor: writeCursor(filter, { openedMs: last.opened_ms, id: last.id }) } : { items };
  }
}

/** The file's generations of the ticket list: which is live, which one a rebuild is filling. */
export class Generations {
  constructor(private readonly db: SqliteDatabase) {}

  /** The generation an unfinished rebuild was filling, with the state it saved. */
  unfinishedRebuild(): { generation: number; state: string } | undefined {
    return this.db
      .prepare<[], { generation: number; state: string }>(
        'SELECT generation, rebuild AS state FROM ticket_list_generations WHERE rebuild IS NOT NULL AND live = 0 ORDER BY generation DESC LIMIT 1',
      )
      .get();
  }

  /** A number no generation has had: a rebuild never writes into tables a running list may still read. */
  next(): number {
    return (this.db.prepare<[], { highest: number | null }>('SELECT max(generation) AS highest FROM ticket_list_generations').get()?.highest ?? 0) + 1;
  }

  /** Drops a generation that is not live (an abandoned rebuild's, or one a swap replaced). Run it in a transaction of the caller's. */
  drop(generation: number): void {
    if (generation === liveGeneration(this.db)) throw new Error(`generation ${generation} is live; it cannot be dropped`);
    for (const part of GENERATION_PARTS) this.db.exec(`DROP TABLE IF EXISTS ${tableOf(generation, part)}`);
    this.db.prepare('DELETE FROM ticket_list_generations WHERE generation = ?').run(generation);
  }

  /** Copies every row of one generation into another (empty) one. Run it in a transaction of the caller's. */
  copy(from: number, to: number): void {
    for (const part of GENERATION_PARTS) this.db.exec(`INSERT INTO ${tableOf(to, part)} SELECT * FROM ${tableOf(from, part)}`);
  }
}
