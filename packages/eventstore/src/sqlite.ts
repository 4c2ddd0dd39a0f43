import { EventEmitter } from 'node:events';
import type { SqliteDatabase, SqliteTransaction } from '@caseflow/sqlite';
import { openSqliteFile } from '@caseflow/sqlite';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  Position,
  RecordedEvent,
  Subscription,
  SubscriptionFilter,
} from './port.js';
import { WrongExpectedRevisionError, matchesFilter } from './port.js';

const SCHEMA_VERSION = 1;
const PAGE_SIZE = 1000;

interface EventRow {
  position: number;
  stream: string;
  revision: number;
  id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

export interface SqliteEventStoreOptions {
  /** How often a tailing subscription looks for events appended by other processes. */
  pollIntervalMs?: number;
}

/**
 * Appends made by any store on the same file in this process wake that file's subscribers at
 * once; appends from other processes are found by polling.
 */
const localAppends = new EventEmitter().setMaxListeners(0);

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    stream: row.stream,
    type: row.type,
    revision: BigInt(row.revision),
    position: String(row.position),
    data: JSON.parse(row.data) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    recordedAt: row.recorded_at,
  };
}

/** SQLite refused an insert because an event id is already stored. */
function isDuplicateId(error: unknown): boolean {
  // By shape, not instanceof: a test runner may load the native binding's error class twice.
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && message.includes('events.id');
}

function parsePosition(position: Position | undefined): number {
  if (position === undefined) return 0;
  if (!/^\d+$/.test(position)) throw new TypeError(`not a SQLite event store position: ${position}`);
  return Number(position);
}

/**
 * The embedded event store: one SQLite file in WAL mode. Every append is one IMMEDIATE
 * transaction with synchronous=FULL, so nothing is acknowledged before it is on disk, and
 * several processes can append to the same file: SQLite serialises their writers.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: SqliteDatabase;
  private readonly file: string;
  private readonly pollIntervalMs: number;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly statements;
  private readonly write: SqliteTransaction<(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision) => AppendResult>;

  constructor(path: string, options: SqliteEventStoreOptions = {}) {
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    ({ db: this.db, file: this.file } = openSqliteFile(path));
    this.migrate();
    this.statements = {
      lastRevision: this.db.prepare<[string], { revision: number | null }>('SELECT max(revision) AS revision FROM events WHERE stream = ?'),
      byId: this.db.prepare<[string], { stream: string; revision: number; position: number }>(
        'SELECT stream, revision, position FROM events WHERE id = ?',
      ),
      insert: this.db.prepare<[string, number, string, string, string, string, string]>(
        'INSERT INTO events (stream, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      readStream: this.db.prepare<[string, number], EventRow>('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision'),
      readAll: this.db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?'),
      countAfter: this.db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM events WHERE position > ?'),
    };
    this.write = this.db.transaction((stream: string, events: readonly EventToAppend[], expected: ExpectedRevision) =>
      this.insertChecked(stream, events, expected),
    );
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`${this.file} has event store schema ${version}; this caseflow knows up to ${SCHEMA_VERSION}`);
    }
    if (version === SCHEMA_VERSION) return;
    this.db.exec(`
      BEGIN IMMEDIATE;
      CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        stream TEXT NOT NULL,
        revision INTEGER NOT NULL,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        metadata TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        UNIQUE (stream, revision)
      );
      PRAGMA user_version = ${SCHEMA_VERSION};
      COMMIT;`);
  }

  appendToStream(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    // The Promise constructor turns a throw inside the synchronous write into a rejection.
    return new Promise((resolve) => resolve(this.append(stream, events, expected)));
  }

  private append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): AppendResult {
    if (events.length === 0) throw new TypeError('appendToStream needs at least one event');
    let result: AppendResult;
    try {
      result = this.write.immediate(stream, events, expected);
    } catch (error) {
      // The ids are checked only when the append fails: a retry is rare, a first append is not.
      if (!(error instanceof WrongExpectedRevisionError || isDuplicateId(error))) throw error;
      const retried = this.alreadyAppended(stream, events);
      if (retried !== undefined) return retried;
      if (error instanceof WrongExpectedRevisionError) throw error;
      throw new WrongExpectedRevisionError(stream, expected, this.lastRevision(stream));
    }
    localAppends.emit(this.file);
    return result;
  }

  private lastRevision(stream: string): bigint | 'no_stream' {
    const last = this.statements.lastRevision.get(stream)?.revision ?? null;
    return last === null ? 'no_stream' : BigInt(last);
  }

  /** The body of one IMMEDIATE transaction: check the expected revision, insert; the commit fsyncs. */
  private insertChecked(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): AppendResult {
    const actual = this.lastRevision(stream);
    const mismatch =
      (expected === 'no_stream' && actual !== 'no_stream') ||
      (expected === 'exists' && actual === 'no_stream') ||
      (typeof expected === 'bigint' && actual !== expected);
    if (mismatch) throw new WrongExpectedRevisionError(stream, expected, actual);
    const recordedAt = new Date().toISOString();
    let revision = actual === 'no_stream' ? -1 : Number(actual);
    let position = 0;
    for (const event of events) {
      revision += 1;
      const data = JSON.stringify(event.data);
      const metadata = JSON.stringify(event.metadata ?? {});
      position = Number(this.statements.insert.run(stream, revision, event.id, event.type, data, metadata, recordedAt).lastInsertRowid);
    }
    return { nextExpectedRevision: BigInt(revision), position: String(position) };
  }

  /** An idempotent retry: every id is already in this stream, in this order. Returns the original result. */
  private alreadyAppended(stream: string, events: readonly EventToAppend[]): AppendResult | undefined {
    const found = events.map((e) => this.statements.byId.get(e.id));
    if (found.every((row) => row === undefined)) return undefined;
    const [first] = found;
    const contiguous =
      first !== undefined &&
      found.every((row, i) => row !== undefined && row.stream === stream && row.revision === first.revision + i);
    if (!contiguous) throw new WrongExpectedRevisionError(stream, 'any', this.lastRevision(stream));
    const lastRow = found[found.length - 1] as { revision: number; position: number };
    return { nextExpectedRevision: BigInt(lastRow.revision), position: String(lastRow.position), duplicate: true };
  }

  readStream(stream: string, options: { fromRevision?: bigint } = {}): Promise<RecordedEvent[]> {
    const from = Number(options.fromRevision ?? 0n);
    return Promise.resolve(this.statements.readStream.all(stream, from).map(toRecorded));
  }

  /** One page of the global log after `position`: the building block of readAll and subscriptions. */
  readPage(after: number, limit = PAGE_SIZE): RecordedEvent[] {
    return this.statements.readAll.all(after, limit).map(toRecorded);
  }

  async *readAll(fromPosition?: Position): AsyncIterable<RecordedEvent> {
    let after = parsePosition(fromPosition);
    for (;;) {
      const page = this.readPage(after);
      yield* page;
      if (page.length < PAGE_SIZE) return;
      after = Number((page[page.length - 1] as RecordedEvent).position);
      // Reads are synchronous: let the rest of the process breathe between pages of a long log.
      await new Promise((next) => setImmediate(next));
    }
  }

  subscribeToAll(fromCheckpoint?: Position, filter?: SubscriptionFilter): Subscription {
    const subscription = new SqliteSubscription(this, this.file, parsePosition(fromCheckpoint), filter, this.pollIntervalMs, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** How many events the log holds after `position` (all of them without one): a follower's lag. */
  countAfter(position?: Position): number {
    const after = position === undefined ? 0 : Number(position);
    return this.statements.countAfter.get(after)?.n ?? 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    if (this.db.open) this.db.close();
  }
}

class SqliteSubscription implements Subscription {
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly onAppend = () => this.wake?.();

  constructor(
    private readonly store: SqliteEventStore,
    private readonly file: string,
    private after: number,
    private readonly filter: SubscriptionFilter | undefined,
    private readonly pollIntervalMs: number,
    private readonly onClose: () => void,
  ) {
    localAppends.on(file, this.onAppend);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    try {
      while (!this.closed) {
        const page = this.store.readPage(this.after);
        for (const event of page) {
          if (this.closed) return;
          this.after = Number(event.position);
          if (matchesFilter(event, this.filter)) yield event;
        }
        if (page.length === 0) await this.nextAppendOrPoll();
      }
    } finally {
      await this.close();
    }
  }

  private nextAppendOrPoll(): Promise<void> {
    return new Promise((done) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = undefined;
        done();
      };
      const timer = setTimeout(finish, this.pollIntervalMs);
      this.wake = finish;
    });
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      localAppends.off(this.file, this.onAppend);
      this.wake?.();
      this.onClose();
    }
    return Promise.resolve();
  }
}

export function openSqliteEventStore(path: string, options?: SqliteEventStoreOptions): SqliteEventStore {
  return new SqliteEventStore(path, options);
}
