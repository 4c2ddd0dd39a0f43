import type { SqliteDatabase } from '@caseflow/sqlite';
import { migrateSchema, openSqliteFile } from '@caseflow/sqlite';
import type { Contact, Severity } from '@caseflow/domain';

/** The notifier's tables live in their own namespace (`notifier_`), with their own schema version. */
export const LEDGER_SCHEMA_VERSION = 2;

export type Channel = 'email' | 'callback' | 'webhook';
export type Audience = 'customer' | 'owner' | 'supervisor' | 'tenant';

/**
 * - `pending`: intended, not tried yet
 * - `sending`: an attempt is under way (found at startup: the process died mid-attempt, so the
 *   outcome is unknown and the attempt is made again)
 * - `failed`: the last attempt failed; more will follow
 * - `delivered`: done, never again
 * - `dead`: gave up after the maximum attempts; sent to the dead-letter topic, never again
 */
export type DeliveryStatus = 'pending' | 'sending' | 'failed' | 'delivered' | 'dead';

/** What the notifier knows about a ticket to address its messages. */
export interface TicketProfile {
  ticketId: string;
  tenant: string;
  region: string;
  language: string;
  title: string;
  severity: Severity;
  contact: Contact;
  owner?: string;
  queue?: string;
}

export interface StoredProfile {
  profile: TicketProfile;
  /** The stream revision of the last event folded in; undefined when the messages carried none. */
  revision: number | undefined;
}

/**
 * What a notification is about: a ticket (its `eventId` is the ticket event's id), or a phone
 * verification (its `eventId` is the verification id, and the message carries the code). Exactly
 * one of the two is set.
 */
export interface NotificationSubject {
  ticketId?: string;
  verificationId?: string;
}

export interface DeliveryIntent extends NotificationSubject {
  /** Stable id of (event id, recipient, channel). */
  id: string;
  eventId: string;
  recipient: string;
  channel: Channel;
  tenant: string;
  audience: Audience;
  template: string | undefined;
}

export interface DeliveryRecord extends DeliveryIntent {
  status: DeliveryStatus;
  attempts: number;
  lastError: string | undefined;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | undefined;
}

export type CallbackStatus = 'open' | 'done';

/**
 * A phone contact's notification: a task for an agent to call the customer and tell them; for a
 * verification, to read the code to the tenant's registered number.
 */
export interface CallbackTask extends NotificationSubject {
  id: string;
  eventId: string;
  tenant: string;
  phone: string;
  /** The customer's language: the call is in it, and subject and text are what to tell them. */
  language: string;
  subject: string;
  text: string;
  status: CallbackStatus;
  createdAt: string;
  completedAt: string | undefined;
  completedBy: string | undefined;
  outcome: string | undefined;
}

export interface NewCallbackTask {
  phone: string;
  language: string;
  subject: string;
  text: string;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  recipient: string;
  channel: Channel;
  ticket_id: string | null;
  verification_id: string | null;
  tenant: string;
  audience: Audience;
  template: string | null;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

interface TaskRow {
  id: string;
  event_id: string;
  ticket_id: string | null;
  verification_id: string | null;
  tenant: string;
  phone: string;
  language: string;
  subject: string;
  text: string;
  status: CallbackStatus;
  created_at: string;
  completed_at: string | null;
  completed_by: string | null;
  outcome: string | null;
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

const subjectOf = (row: { ticket_id: string | null; verification_id: string | null }): NotificationSubject => ({
  ticketId: orUndefined(row.ticket_id),
  verificationId: orUndefined(row.verification_id),
});

const toDelivery = (row: DeliveryRow): DeliveryRecord => ({
  id: row.id,
  eventId: row.event_id,
  recipient: row.recipient,
  channel: row.channel,
  ...subjectOf(row),
  tenant: row.tenant,
  audience: row.audience,
  template: orUndefined(row.template),
  status: row.status,
  attempts: row.attempts,
  lastError: orUndefined(row.last_error),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deliveredAt: orUndefined(row.delivered_at),
});

const toTask = (row: TaskRow): CallbackTask => ({
  id: row.id,
  eventId: row.event_id,
  ...subjectOf(row),
  tenant: row.tenant,
  phone: row.phone,
  language: row.language,
  subject: row.subject,
  text: row.text,
  status: row.status,
  createdAt: row.created_at,
  completedAt: orUndefined(row.completed_at),
  completedBy: orUndefined(row.completed_by),
  outcome: orUndefined(row.outcome),
});

/** Errors are kept short in the ledger: the first line, at most 1000 characters. */
const shortError = (error: string) => error.slice(0, 1000);

/** A notification is about a ticket or about a verification, never both, never neither. */
const ONE_SUBJECT = 'CHECK ((ticket_id IS NULL) <> (verification_id IS NULL))';

function createDeliveryTables(db: SqliteDatabase): void {
  db.exec(`
      CREATE TABLE notifier_deliveries (
        id TEXT NOT NULL UNIQUE,
        event_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        channel TEXT NOT NULL,
        ticket_id TEXT,
        verification_id TEXT,
        tenant TEXT NOT NULL,
        audience TEXT NOT NULL,
        template TEXT,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        delivered_at TEXT,
        PRIMARY KEY (event_id, recipient, channel),
        ${ONE_SUBJECT});
      CREATE INDEX notifier_deliveries_by_ticket ON notifier_deliveries (ticket_id);
      CREATE INDEX notifier_deliveries_by_status ON notifier_deliveries (status);
      CREATE TABLE notifier_callback_tasks (
        id TEXT PRIMARY KEY,
        event_id TEXT NOT NULL,
        ticket_id TEXT,
        verification_id TEXT,
        tenant TEXT NOT NULL,
        phone TEXT NOT NULL,
        language TEXT NOT NULL,
        subject TEXT NOT NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        completed_at TEXT,
        completed_by TEXT,
        outcome TEXT,
        ${ONE_SUBJECT});
      CREATE INDEX notifier_callback_tasks_by_tenant ON notifier_callback_tasks (tenant, status, created_at);`);
}

/**
 * Version 1 had only ticket notifications (ticket_id NOT NULL); version 2 adds verification codes,
 * which belong to no ticket. SQLite cannot relax a NOT NULL in place, so version 1's deliveries and
 * callback tasks are copied, rows in their order, into tables created as version 2 creates them.
 * The renamed old tables keep their indexes, whose names the new tables need: those go first.
 */
function upgradeFromV1(db: SqliteDatabase): void {
  const deliveryColumns = 'id, event_id, recipient, channel, ticket_id, tenant, audience, template, status, attempts, last_error, created_at, updated_at, delivered_at';
  const taskColumns = 'id, event_id, ticket_id, tenant, phone, language, subject, text, status, created_at, completed_at, completed_by, outcome';
  db.exec(`
      ALTER TABLE notifier_deliveries RENAME TO notifier_deliveries_v1;
      ALTER TABLE notifier_callback_tasks RENAME TO notifier_callback_tasks_v1;
      DROP INDEX notifier_deliveries_by_ticket;
      DROP INDEX notifier_deliveries_by_status;
      DROP INDEX notifier_callback_tasks_by_tenant;`);
  createDeliveryTables(db);
  db.exec(`
      INSERT INTO notifier_deliveries (${deliveryColumns}) SELECT ${deliveryColumns} FROM notifier_deliveries_v1 ORDER BY rowid;
      INSERT INTO notifier_callback_tasks (${taskColumns}) SELECT ${taskColumns} FROM notifier_callback_tasks_v1 ORDER BY rowid;
      DROP TABLE notifier_deliveries_v1;
      DROP TABLE notifier_callback_tasks_v1;`);
}

/** A new file gets every table; a version 1 file keeps its ticket profiles (unchanged in version 2). */
function migrateLedger(db: SqliteDatabase, from: number): void {
  if (from === 1) {
    upgradeFromV1(db);
    return;
  }
  db.exec(`
      CREATE TABLE notifier_tickets (
        ticket_id TEXT PRIMARY KEY,
        revision INTEGER,
        profile TEXT NOT NULL,
        updated_at TEXT NOT NULL);`);
  createDeliveryTables(db);
}

/** A WHERE clause that requires each given column to equal its value; columns left undefined do not filter. */
function matching(columns: Record<string, string | undefined>): { where: string; params: string[] } {
  const given = Object.entries(columns).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return {
    where: given.length === 0 ? '' : `WHERE ${given.map(([column]) => `${column} = ?`).join(' AND ')}`,
    params: given.map(([, value]) => value),
  };
}

/**
 * The notifier's durable state in a SQLite file (by default the same file as the embedded event
 * store and bus, in tables of its own):
 *
 * - `notifier_deliveries`: one row per (event id, recipient, channel), the delivery ledger (for a
 *   verification code the "event" is the verification). A row is inserted before the first
 *   attempt and marked delivered right after the channel accepted the message, so a notification
 *   that was delivered is never attempted again, whatever the bus redelivers.
 * - `notifier_callback_tasks`: callback tasks for phone contacts and for verification codes going
 *   to a registered phone, created in the same transaction that marks their delivery done
 *   (exactly once).
 * - `notifier_tickets`: per-ticket profile (tenant, region, language, contact, owner) folded from
 *   the ticket's events, with the revision it is at.
 */
export class NotificationLedger {
  private readonly db: SqliteDatabase;

  constructor(path: string) {
    const { db, file } = openSqliteFile(path);
    this.db = db;
    migrateSchema(db, file, { component: 'notifier', table: 'notifier_schema', version: LEDGER_SCHEMA_VERSION, create: migrateLedger });
  }

  // --- ticket profiles ---------------------------------------------------------------------

  profile(ticketId: string): StoredProfile | undefined {
    const row = this.db
      .prepare<[string], { revision: number | null; profile: string }>('SELECT revision, profile FROM notifier_tickets WHERE ticket_id = ?')
      .get(ticketId);
    if (row === undefined) return undefined;
    return { profile: JSON.parse(row.profile) as TicketProfile, revision: orUndefined(row.revision) };
  }

  saveProfile(profile: TicketProfile, revision: number | undefined, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO notifier_tickets (ticket_id, revision, profile, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (ticket_id) DO UPDATE SET revision = excluded.revision, profile = excluded.profile, updated_at = excluded.updated_at`,
      )
      .run(profile.ticketId, revision ?? null, JSON.stringify(profile), now.toISOString());
  }

  // --- deliveries --------------------------------------------------------------------------

  /** Records the intent to deliver (once; a repeat returns the existing row, whatever its status). */
  intend(intent: DeliveryIntent, now: Date): DeliveryRecord {
    const at = now.toISOString();
    this.db
      .prepare(
        `INSERT INTO notifier_deliveries (id, event_id, recipient, channel, ticket_id, verification_id, tenant, audience, template, status, attempts, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)
         ON CONFLICT (event_id, recipient, channel) DO NOTHING`,
      )
      .run(
        intent.id,
        intent.eventId,
        intent.recipient,
        intent.channel,
        intent.ticketId ?? null,
        intent.verificationId ?? null,
        intent.tenant,
        intent.audience,
        intent.template ?? null,
        at,
        at,
      );
    return this.deliveryById(intent.id) as DeliveryRecord;
  }

  /** Marks an attempt as started (durably, before anything leaves) and returns its number. */
  beginAttempt(id: string, now: Date): number {
    const row = this.db
      .prepare<[string, string], { attempts: number }>(
        `UPDATE notifier_deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? RETURNING attempts`,
      )
      .get(now.toISOString(), id);
    if (row === undefined) throw new Error(`no delivery ${id}`);
    return row.attempts;
  }

  markDelivered(id: string, now: Date): void {
    const at = now.toISOString();
    this.db.prepare(`UPDATE notifier_deliveries SET status = 'delivered', delivered_at = ?, updated_at = ?, last_error = NULL WHERE id = ?`).run(at, at, id);
  }

  markFailed(id: string, error: string, now: Date): void {
    this.db.prepare(`UPDATE notifier_deliveries SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?`).run(shortError(error), now.toISOString(), id);
  }

  markDead(id: string, error: string, now: Date): void {
    this.db.prepare(`UPDATE notifier_deliveries SET status = 'dead', last_error = ?, updated_at = ? WHERE id = ?`).run(shortError(error), now.toISOString(), id);
  }

  delivery(eventId: string, recipient: string, channel: Channel): DeliveryRecord | undefined {
    const row = this.db
      .prepare<[string, string, string], DeliveryRow>('SELECT * FROM notifier_deliveries WHERE event_id = ? AND recipient = ? AND channel = ?')
      .get(eventId, recipient, channel);
    return row === undefined ? undefined : toDelivery(row);
  }

  deliveryById(id: string): DeliveryRecord | undefined {
    const row = this.db.prepare<[string], DeliveryRow>('SELECT * FROM notifier_deliveries WHERE id = ?').get(id);
    return row === undefined ? undefined : toDelivery(row);
  }

  /** Deliveries, oldest first, optionally only of one ticket, event or status. */
  deliveries(filter: { ticketId?: string; eventId?: string; status?: DeliveryStatus } = {}): DeliveryRecord[] {
    const { where, params } = matching({ ticket_id: filter.ticketId, event_id: filter.eventId, status: filter.status });
    return this.db.prepare<string[], DeliveryRow>(`SELECT * FROM notifier_deliveries ${where} ORDER BY created_at, rowid`).all(...params).map(toDelivery);
  }

  // --- callback tasks ----------------------------------------------------------------------

  /**
   * Delivers a callback notification: creates its task and marks the delivery done in one
   * transaction, so a task is created exactly once per (event or verification, phone).
   */
  deliverCallback(delivery: DeliveryIntent, task: NewCallbackTask, now: Date): void {
    const at = now.toISOString();
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO notifier_callback_tasks (id, event_id, ticket_id, verification_id, tenant, phone, language, subject, text, status, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?) ON CONFLICT (id) DO NOTHING`,
          )
          .run(
            delivery.id,
            delivery.eventId,
            delivery.ticketId ?? null,
            delivery.verificationId ?? null,
            delivery.tenant,
            task.phone,
            task.language,
            task.subject,
            task.text,
            at,
          );
        this.markDelivered(delivery.id, now);
      })
      .immediate();
  }

  /** Callback tasks, oldest first, optionally of one tenant and/or status. */
  listCallbackTasks(filter: { tenant?: string; status?: CallbackStatus; ticketId?: string } = {}): CallbackTask[] {
    const { where, params } = matching({ tenant: filter.tenant, status: filter.status, ticket_id: filter.ticketId });
    return this.db.prepare<string[], TaskRow>(`SELECT * FROM notifier_callback_tasks ${where} ORDER BY created_at, rowid`).all(...params).map(toTask);
  }

  callbackTask(id: string): CallbackTask | undefined {
    const row = this.db.prepare<[string], TaskRow>('SELECT * FROM notifier_callback_tasks WHERE id = ?').get(id);
    return row === undefined ? undefined : toTask(row);
  }

  /**
   * Marks a callback task done. Completing a task that is already done changes nothing and
   * returns it as it was; an unknown id returns undefined.
   */
  completeCallbackTask(id: string, completion: { by?: string; outcome?: string; at?: Date } = {}): CallbackTask | undefined {
    const at = (completion.at ?? new Date()).toISOString();
    this.db
      .prepare(`UPDATE notifier_callback_tasks SET status = 'done', completed_at = ?, completed_by = ?, outcome = ? WHERE id = ? AND status = 'open'`)
      .run(at, completion.by ?? null, completion.outcome ?? null, id);
    return this.callbackTask(id);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
