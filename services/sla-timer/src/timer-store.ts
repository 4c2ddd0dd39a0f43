import type { SqliteDatabase, SqliteTransaction } from '@caseflow/sqlite';
import { migrateSchema, openSqliteFile } from '@caseflow/sqlite';

/**
 * The sla-timer's own schema version, in its own table: the event store owns `PRAGMA user_version`
 * of the same file, and the bus and the relay keep theirs in their own tables too.
 */
const SCHEMA_VERSION = 1;

export type TimerReason = 'warning' | 'breach' | 'collaboration-window' | 'auto-close';
const REASONS: readonly TimerReason[] = ['warning', 'breach', 'collaboration-window', 'auto-close'];

/** The one instant at which the worker must look at a ticket again, and why (as `nextTimerAt` said). */
export interface PendingTimer {
  at: Date;
  reason: TimerReason;
  /** The SLA clock of an escalation (warning, breach). */
  clock?: string;
  cycle: number;
  /** The escalation level: 1 at the warning, 2 at the breach. */
  level?: number;
}

/** What the worker keeps per ticket. */
export interface TicketTimer {
  ticketId: string;
  /** The last stream revision the timer was computed from: messages at or below it are duplicates. */
  revision: bigint;
  /** Undefined when nothing is pending (the ticket is closed, or no clock has a commitment). */
  timer: PendingTimer | undefined;
  /** Consecutive failed attempts to act on the timer (conflicts, refusals): the backoff grows with them. */
  attempts: number;
}

interface Row {
  ticket_id: string;
  revision: number;
  due_at: number | null;
  reason: string | null;
  clock: string | null;
  cycle: number | null;
  level: number | null;
  attempts: number;
}

type RowValues = [string, number, number | null, string | null, string | null, number | null, number | null, number];

function toValues({ ticketId, revision, timer, attempts }: TicketTimer): RowValues {
  return [
    ticketId,
    Number(revision),
    timer?.at.getTime() ?? null,
    timer?.reason ?? null,
    timer?.clock ?? null,
    timer?.cycle ?? null,
    timer?.level ?? null,
    attempts,
  ];
}

function fromRow(row: Row): TicketTimer {
  let timer: PendingTimer | undefined;
  if (row.due_at !== null && row.reason !== null && (REASONS as readonly string[]).includes(row.reason)) {
    timer = { at: new Date(row.due_at), reason: row.reason as TimerReason, cycle: row.cycle ?? 0 };
    if (row.clock !== null) timer.clock = row.clock;
    if (row.level !== null) timer.level = row.level;
  }
  return { ticketId: row.ticket_id, revision: BigInt(row.revision), timer, attempts: row.attempts };
}

export interface SlaTimerStoreOptions {
  /**
   * `full` (the default) makes each save durable before it returns, like the event store and the
   * in-process bus: a consumer offset committed after a save never points past a lost timer.
   * `normal` survives process crashes (kill -9) but not power loss; for benchmarks and tests.
   */
  synchronous?: 'full' | 'normal';
}

// WITHOUT ROWID: the ticket id is the key, so a row is stored once, in key order. The
// partial index holds only pending timers: (due_at, ticket_id), the due scan's whole need.
function createTimerTables(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE sla_timer_tickets (
      ticket_id TEXT PRIMARY KEY,
      revision INTEGER NOT NULL,
      due_at INTEGER,
      reason TEXT,
      clock TEXT,
      cycle INTEGER,
      level INTEGER,
      attempts INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX sla_timer_due ON sla_timer_tickets (due_at) WHERE due_at IS NOT NULL;`);
}

/**
 * The durable per-ticket timers, in SQLite: one row per ticket the worker has seen, holding the
 * revision its timer was computed from and the next due instant (indexed, only where one is
 * pending). It holds no histories: the event store stays the source of truth, read again
 * whenever a message says a ticket changed or its timer comes due.
 *
 * Several writers (the consumer, the scheduler, another worker on the same file) may save the
 * same ticket: a save computed from an older revision than the stored one is ignored, so the row
 * always reflects the newest history anyone has read.
 */
export class SlaTimerStore {
  readonly path: string;
  private readonly db: SqliteDatabase;
  private readonly statements;
  private readonly saveAll: SqliteTransaction<(timers: readonly TicketTimer[]) => void>;

  constructor(path: string, options: SlaTimerStoreOptions = {}) {
    ({ db: this.db, file: this.path } = openSqliteFile(path, options));
    migrateSchema(this.db, this.path, { component: 'sla-timer', table: 'sla_timer_schema', version: SCHEMA_VERSION, create: createTimerTables });
    this.statements = {
      get: this.db.prepare<[string], Row>('SELECT * FROM sla_timer_tickets WHERE ticket_id = ?'),
      revision: this.db.prepare<[string], { revision: number }>('SELECT revision FROM sla_timer_tickets WHERE ticket_id = ?'),
      // Only a save from the same or a newer history replaces the row.
      save: this.db.prepare<RowValues>(`
        INSERT INTO sla_timer_tickets (ticket_id, revision, due_at, reason, clock, cycle, level, attempts)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (ticket_id) DO UPDATE SET
          revision = excluded.revision, due_at = excluded.due_at, reason = excluded.reason, clock = excluded.clock,
          cycle = excluded.cycle, level = excluded.level, attempts = excluded.attempts
        WHERE excluded.revision >= sla_timer_tickets.revision`),
      due: this.db.prepare<[number, number], Row>(
        'SELECT * FROM sla_timer_tickets WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?',
      ),
      next: this.db.prepare<[], { due_at: number | null }>('SELECT min(due_at) AS due_at FROM sla_timer_tickets WHERE due_at IS NOT NULL'),
      count: this.db.prepare<[], { tickets: number; pending: number }>(
        'SELECT count(*) AS tickets, count(due_at) AS pending FROM sla_timer_tickets',
      ),
      forget: this.db.prepare<[string]>('DELETE FROM sla_timer_tickets WHERE ticket_id = ?'),
    };
    const { save } = this.statements;
    this.saveAll = this.db.transaction((timers: readonly TicketTimer[]) => {
      for (const timer of timers) save.run(...toValues(timer));
    });
  }

  get open(): boolean {
    return this.db.open;
  }

  get(ticketId: string): TicketTimer | undefined {
    const row = this.statements.get.get(ticketId);
    return row === undefined ? undefined : fromRow(row);
  }

  /** The last revision applied for the ticket, or undefined for a ticket never seen. */
  lastRevision(ticketId: string): bigint | undefined {
    const row = this.statements.revision.get(ticketId);
    return row === undefined ? undefined : BigInt(row.revision);
  }

  /** Saves the ticket's timer unless the stored one was computed from a newer revision; true if it was saved. */
  save(timer: TicketTimer): boolean {
    return this.statements.save.run(...toValues(timer)).changes > 0;
  }

  /** Saves many in one transaction (a bootstrap, the benchmark); the same revision rule per ticket. */
  saveMany(timers: readonly TicketTimer[]): void {
    this.saveAll.immediate(timers);
  }

  /** The timers due at `now`, earliest first, at most `limit`. */
  due(now: Date, limit: number): TicketTimer[] {
    return this.statements.due.all(now.getTime(), limit).map(fromRow);
  }

  /** The earliest pending due instant, or undefined when nothing is pending. */
  nextDueAt(): Date | undefined {
    const at = this.statements.next.get()?.due_at ?? null;
    return at === null ? undefined : new Date(at);
  }

  /** How many tickets are tracked, and how many of them have a pending timer. */
  count(): { tickets: number; pending: number } {
    return this.statements.count.get() ?? { tickets: 0, pending: 0 };
  }

  forget(ticketId: string): void {
    this.statements.forget.run(ticketId);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
