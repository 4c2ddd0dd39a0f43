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
const IMPORT_BATCH_SIZE = 10_000;
const STREAMS_PAGE_SIZE = 5_000;
/** During a bulk import: a 64 MiB page cache (negative: KiB) and a checkpoint per ~120 MB of WAL. */
const BULK_CACHE_KIB = -65_536;
const BULK_CHECKPOINT_PAGES = 30_000;
/** Above every stored revision: a keyset cursor at (stream, this) starts after the whole stream. */
const PAST_EVERY_REVISION = Number.MAX_SAFE_INTEGER;
/** The end of the ranges of a prefix that has no end (see prefixEnd): only names starting with U+10FFFF sort after it. */
const MAX_STREAM = String.fromCodePoint(0x10ffff);

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

/** One event of a bulk import: its stream, and when it counts as recorded (an ISO instant in UTC, ending in Z). */
export interface ImportRecord {
  stream: string;
  event: EventToAppend;
  recordedAt: string;
}

export interface ImportResult {
  events: number;
  /** The position of the last event imported; undefined when there was nothing to import. */
  lastPosition: Position | undefined;
}

export interface StreamsInOrderOptions {
  /** Start after the stream of this name (exclusive): where an interrupted pass left off. */
  after?: string;
  /** Rows read per query. */
  pageSize?: number;
}

/** Streams whose names sort from `from` (inclusive) to `before` (exclusive), as SQLite orders them (UTF-8 bytes). */
export interface StreamRange {
  from: string;
  before: string;
}

export interface RangeReadOptions {
  /** Start after this position (the log's start without it). */
  after?: Position;
  /** Stop at this position (inclusive; the log's end without it). */
  until?: Position;
  /** Rows read per query. */
  pageSize?: number;
}

/** A bulk import met an event id that is already stored: the batch holding it was not stored at all. */
export class DuplicateEventIdError extends Error {
  constructor(
    readonly id: string,
    readonly stream: string,
    /** How many events the refused batch held (none of them stored). */
    readonly batchSize: number,
  ) {
    super(`event ${id} (stream ${stream}) is already stored: the import refused its batch of ${batchSize} events and stored none of them`);
    this.name = 'DuplicateEventIdError';
  }
}

/**
 * Appends made by any store on the same file in this process wake that file's subscribers at
 * once; appends from other processes are found by polling.
 */
const localAppends = new EventEmitter().setMaxListeners(0);

/**
 * An event as a pass over the whole log reads it (see readRange): its revision and position as
 * numbers, its data and metadata as their JSON text, which the reader parses (a fold decodes
 * straight into what it keeps), and without the instant it was recorded, which no such pass reads.
 * An array, as SQLite's row comes: a million-event pass then makes no object per event to hold it.
 */
export type StoredEventRow = [stream: string, revision: number, position: number, id: string, type: string, data: string, metadata: string];
/** The columns of a StoredEventRow, in its order, for the statements that read rows raw. */
const STORED_ROW_COLUMNS = 'stream, revision, position, id, type, data, metadata';

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

const ISO_UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function positiveWhole(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive whole number, not ${value}`);
  return value;
}

/**
 * The least string above every string that starts with `prefix`, in SQLite's BINARY order (the
 * order of UTF-8 bytes, which is code point order); undefined when there is none (an empty prefix).
 */
function prefixEnd(prefix: string): string | undefined {
  const codePoints = [...prefix].map((c) => c.codePointAt(0) as number);
  while (codePoints.length > 0) {
    const last = codePoints.pop() as number;
    if (last < 0x10ffff) return String.fromCodePoint(...codePoints, last + 1 === 0xd800 ? 0xe000 : last + 1);
  }
  return undefined;
}

/** Compares stream names as SQLite does (BINARY: UTF-8 bytes), which JavaScript's UTF-16 comparison does not always match. */
const compareAsStored = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The end of a read up to `until` (inclusive): the log's end without it. */
const parseUntil = (until: Position | undefined): number => (until === undefined ? Number.MAX_SAFE_INTEGER : parsePosition(until));

/** Where the names starting with `prefix` end, as a StreamRange's `before`. */
const endOfPrefix = (prefix: string): string => prefixEnd(prefix) ?? MAX_STREAM;

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
      countInStreams: this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM events WHERE stream IN (SELECT value FROM json_each(?))'),
      lastPosition: this.db.prepare<[], { position: number | null }>('SELECT max(position) AS position FROM events'),
      // Keyset pages over UNIQUE (stream, revision): each query starts after the last row read.
      streamsFrom: this.db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE (stream, revision) > (?, ?) ORDER BY stream, revision LIMIT ?',
      ),
      // `+stream` keeps the planner off the (stream, revision) index: a scan in log order reads each page once.
      range: this.db
        .prepare<[number, number, string, string, number], StoredEventRow>(
          `SELECT ${STORED_ROW_COLUMNS} FROM events WHERE position > ? AND position <= ? AND +stream >= ? AND +stream < ? ORDER BY position LIMIT ?`,
        )
        .raw(true),
      streamRows: this.db
        .prepare<[string, number], StoredEventRow>(
          `SELECT ${STORED_ROW_COLUMNS} FROM events WHERE stream = ? AND revision < ? ORDER BY revision`,
        )
        .raw(true),
      // From the (stream, revision) index alone, which holds each row's position too: about a third of the time of counting the table's rows.
      countRange: this.db.prepare<[string, string, number], { n: number }>('SELECT count(*) AS n FROM events WHERE stream >= ? AND stream < ? AND position <= ?'),
      // The events either side of an offset into the streams between two names: a split falls between different streams.
      streamsAround: this.db.prepare<[string, string, number], { stream: string }>(
        'SELECT stream FROM events WHERE stream >= ? AND stream < ? ORDER BY stream, revision LIMIT 2 OFFSET ?',
      ),
      nextStream: this.db.prepare<[string, string], { stream: string }>('SELECT stream FROM events WHERE stream > ? AND stream < ? ORDER BY stream LIMIT 1'),
      streamsBetween: this.db.prepare<[string, number, string, number], EventRow>(
        'SELECT * FROM events WHERE (stream, revision) > (?, ?) AND stream < ? ORDER BY stream, revision LIMIT ?',
      ),
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
    return this.statements.countAfter.get(parsePosition(position))?.n ?? 0;
  }

  /** How many events these streams hold, whole: what reading each of them from its start reads. */
  countInStreams(streams: readonly string[]): number {
    return this.statements.countInStreams.get(JSON.stringify(streams))?.n ?? 0;
  }

  /** How many events the streams whose names start with `streamPrefix` hold up to `until` (inclusive; the log's end without it). */
  countStreamEvents(streamPrefix: string, until?: Position): number {
    return this.statements.countRange.get(streamPrefix, endOfPrefix(streamPrefix), parseUntil(until))?.n ?? 0;
  }

  /** The position of the last event in the log; undefined while it is empty. */
  lastPosition(): Position | undefined {
    const last = this.statements.lastPosition.get()?.position ?? null;
    return last === null ? undefined : String(last);
  }

  /**
   * Bulk import (generated or migrated histories): appends the records in order, each as the next
   * revision of its stream, in IMMEDIATE transactions of `batchSize` events, and wakes this file's
   * subscribers after each. No expected revision is checked: the importer owns the streams it
   * writes. A batch is stored whole or not at all: one holding an event id that is already stored
   * is refused with DuplicateEventIdError (the batches before it stay stored), one with a
   * `recordedAt` that is not an ISO instant in UTC with TypeError.
   */
  importEvents(records: Iterable<ImportRecord>, options: { batchSize?: number } = {}): ImportResult {
    const batchSize = positiveWhole(options.batchSize ?? IMPORT_BATCH_SIZE, 'batchSize');
    const insertBatch = this.db.transaction((batch: readonly ImportRecord[]) => this.insertImported(batch));
    const result: ImportResult = { events: 0, lastPosition: undefined };
    const flush = (batch: readonly ImportRecord[]) => {
      result.lastPosition = String(insertBatch.immediate(batch));
      result.events += batch.length;
      localAppends.emit(this.file);
    };
    this.withBulkWriteSettings(() => {
      // Each batch is gathered before its transaction begins: the write lock is not held while the records are produced.
      let batch: ImportRecord[] = [];
      for (const record of records) {
        if (!ISO_UTC_INSTANT.test(record.recordedAt)) {
          throw new TypeError(`event ${record.event.id}: recordedAt must be an ISO instant in UTC ending in Z, not ${JSON.stringify(record.recordedAt)}`);
        }
        batch.push(record);
        if (batch.length === batchSize) {
          flush(batch);
          batch = [];
        }
      }
      if (batch.length > 0) flush(batch);
    });
    return result;
  }

  /**
   * Runs a bulk write with a larger page cache and rarer checkpoints, then restores both. Event ids
   * and stream names are random keys, so every batch dirties pages all over both indexes; with the
   * usual checkpoint after each commit those pages are written twice per batch, which made a
   * million-event import some three times slower.
   */
  private withBulkWriteSettings(write: () => void): void {
    const cacheSize = this.db.pragma('cache_size', { simple: true }) as number;
    const autoCheckpoint = this.db.pragma('wal_autocheckpoint', { simple: true }) as number;
    this.db.pragma(`cache_size = ${BULK_CACHE_KIB}`);
    this.db.pragma(`wal_autocheckpoint = ${BULK_CHECKPOINT_PAGES}`);
    try {
      write();
    } finally {
      this.db.pragma(`cache_size = ${cacheSize}`);
      this.db.pragma(`wal_autocheckpoint = ${autoCheckpoint}`);
    }
  }

  /** The body of one import transaction; returns the position of its last event. */
  private insertImported(batch: readonly ImportRecord[]): number {
    // Each stream's last revision is read once per batch, inside the transaction that holds the
    // write lock, so no other writer can move it meanwhile; the map is as big as the batch at most.
    const lastRevisions = new Map<string, number>();
    let position = 0;
    for (const { stream, event, recordedAt } of batch) {
      const revision = (lastRevisions.get(stream) ?? this.statements.lastRevision.get(stream)?.revision ?? -1) + 1;
      lastRevisions.set(stream, revision);
      const data = JSON.stringify(event.data);
      const metadata = JSON.stringify(event.metadata ?? {});
      try {
        position = Number(this.statements.insert.run(stream, revision, event.id, event.type, data, metadata, recordedAt).lastInsertRowid);
      } catch (error) {
        if (isDuplicateId(error)) throw new DuplicateEventIdError(event.id, stream, batch.length);
        throw error;
      }
    }
    return position;
  }

  /**
   * Every stream whose name starts with `streamPrefix`, in name order, each as one array of its
   * events in revision order: what a rebuild that folds one stream at a time reads. Pages of
   * `pageSize` rows are read one query at a time, so no read transaction stays open while the
   * caller works and memory holds one page and one stream; a stream that spans pages still comes
   * out whole. `after` resumes after the stream of that name.
   */
  async *readStreamsInOrder(streamPrefix: string, options: StreamsInOrderOptions = {}): AsyncIterable<RecordedEvent[]> {
    const pageSize = positiveWhole(options.pageSize ?? STREAMS_PAGE_SIZE, 'pageSize');
    const end = prefixEnd(streamPrefix);
    const readPage = (stream: string, revision: number) =>
      end === undefined
        ? this.statements.streamsFrom.all(stream, revision, pageSize)
        : this.statements.streamsBetween.all(stream, revision, end, pageSize);
    const resumes = options.after !== undefined && compareAsStored(options.after, streamPrefix) >= 0;
    let cursor = resumes ? { stream: options.after as string, revision: PAST_EVERY_REVISION } : { stream: streamPrefix, revision: -1 };
    let current: RecordedEvent[] = [];
    for (;;) {
      const rows = readPage(cursor.stream, cursor.revision);
      for (const row of rows) {
        // Only without an upper bound (a prefix of U+10FFFF alone) can a row fall outside the prefix.
        if (!row.stream.startsWith(streamPrefix)) break;
        if (current.length > 0 && current[0]?.stream !== row.stream) {
          yield current;
          current = [];
        }
        current.push(toRecorded(row));
      }
      const last = rows.at(-1);
      if (last === undefined || rows.length < pageSize || !last.stream.startsWith(streamPrefix)) break;
      cursor = { stream: last.stream, revision: last.revision };
      // Reads are synchronous: let the rest of the process breathe between pages.
      await new Promise((next) => setImmediate(next));
    }
    if (current.length > 0) yield current;
  }

  /**
   * The log's events of the streams in `range`, in log order, a page at a time: what a fold that
   * splits the streams between threads reads, each thread its own range. Every page of the log is
   * read once per range, in storage order, which costs about half what reading stream by stream
   * through the index does; each page is its own query, so no read transaction stays open between
   * pages. Events come as rows (see StoredEventRow), not RecordedEvents.
   */
  async *readRange(range: StreamRange, options: RangeReadOptions = {}): AsyncIterable<StoredEventRow[]> {
    const pageSize = positiveWhole(options.pageSize ?? STREAMS_PAGE_SIZE, 'pageSize');
    const until = parseUntil(options.until);
    let after = parsePosition(options.after);
    for (;;) {
      const page = this.statements.range.all(after, until, range.from, range.before, pageSize);
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      [, , after] = page[page.length - 1] as StoredEventRow;
      await new Promise((next) => setImmediate(next));
    }
  }

  /** A stream's events below `revision`, in order, as rows (see StoredEventRow): how a fold over a range reads again the earlier events of a ticket it let go of. */
  streamRowsBefore(stream: string, revision: number): StoredEventRow[] {
    if (!Number.isSafeInteger(revision)) throw new RangeError(`a stream revision is a whole number, not ${revision}`);
    return this.statements.streamRows.all(stream, revision);
  }

  /**
   * Splits the streams whose names start with `streamPrefix` into at most `parts` ranges of about
   * as many events each, in name order, none empty unless every one is; a stream is never split.
   * `events`, when the caller has counted them (countStreamEvents), saves counting again: only the
   * balance between the ranges depends on it.
   */
  splitStreams(streamPrefix: string, parts: number, events = this.countStreamEvents(streamPrefix)): StreamRange[] {
    positiveWhole(parts, 'parts');
    const end = endOfPrefix(streamPrefix);
    const bounds = [streamPrefix];
    for (let part = 1; part < parts; part++) {
      const bound = this.firstStreamFrom(streamPrefix, end, Math.max(1, Math.floor((events * part) / parts)));
      if (bound !== undefined && bound !== bounds.at(-1)) bounds.push(bound);
    }
    return bounds.map((from, i) => ({ from, before: bounds[i + 1] ?? end }));
  }

  /** The first stream between the names that begins at or after the event at `offset` (1 or more) in (stream, revision) order. */
  private firstStreamFrom(from: string, before: string, offset: number): string | undefined {
    const [previous, at] = this.statements.streamsAround.all(from, before, offset - 1);
    if (at === undefined) return undefined;
    return previous?.stream !== at.stream ? at.stream : this.statements.nextStream.get(at.stream, before)?.stream;
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
