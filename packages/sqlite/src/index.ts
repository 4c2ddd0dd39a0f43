import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;
export type SqliteTransaction<F extends (...args: never[]) => unknown> = Database.Transaction<F>;

export interface OpenOptions {
  /**
   * FULL (the default) fsyncs every commit, so nothing is acknowledged before it is on disk.
   * NORMAL may lose the last commits on power loss; only for state that can be rebuilt.
   */
  synchronous?: 'full' | 'normal';
}

/**
 * Opens a caseflow SQLite file, creating its directory, with the settings every component on the
 * file relies on: WAL, so that readers never block the writer and several processes can share the
 * file; durable commits; and a busy timeout, so that writers wait for each other instead of failing.
 */
export function openSqliteFile(path: string, options: OpenOptions = {}): { db: SqliteDatabase; file: string } {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('busy_timeout = 15000');
  return { db, file };
}

export interface ComponentSchema {
  /** Named in errors, e.g. "bus". */
  component: string;
  /** The table holding the component's schema version, e.g. "bus_schema". */
  table: string;
  version: number;
  /** Creates (or upgrades to) the component's tables; runs only when the file is behind. */
  create(db: SqliteDatabase, from: number): void;
}

/**
 * Brings one component's tables up to its schema version in one IMMEDIATE transaction. Each
 * component of a shared file keeps its own version, in a table of its own; a file written by a
 * newer caseflow is refused instead of guessed at.
 */
export function migrateSchema(db: SqliteDatabase, file: string, schema: ComponentSchema): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${schema.table} (version INTEGER NOT NULL)`);
    const found = db.prepare<[], { version: number }>(`SELECT version FROM ${schema.table}`).get()?.version ?? 0;
    if (found > schema.version) {
      throw new Error(`${file} has ${schema.component} schema ${found}; this caseflow knows up to ${schema.version}`);
    }
    if (found === schema.version) return;
    schema.create(db, found);
    db.exec(`DELETE FROM ${schema.table}`);
    db.prepare(`INSERT INTO ${schema.table} (version) VALUES (?)`).run(schema.version);
  }).immediate();
}
