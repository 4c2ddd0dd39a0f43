import type { SqliteDatabase } from '@caseflow/sqlite';
import { migrateSchema, openSqliteFile } from '@caseflow/sqlite';
import type { Position } from '@caseflow/eventstore';

const SCHEMA_VERSION = 1;

/**
 * The relay's own bookkeeping in a SQLite file: its checkpoint (the last position the broker
 * acknowledged) and a lease that lets one relay at a time work. A lease that is not renewed
 * expires, so a relay killed with -9 is replaced once its lease runs out.
 */
export class RelayBookkeeping {
  private readonly db: SqliteDatabase;

  constructor(path: string) {
    const { db, file } = openSqliteFile(path);
    this.db = db;
    migrateSchema(db, file, {
      component: 'relay',
      table: 'relay_schema',
      version: SCHEMA_VERSION,
      create: () =>
        db.exec(`
          CREATE TABLE relay_checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL, saved_at TEXT NOT NULL);
          CREATE TABLE relay_leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL);`),
    });
  }

  checkpoint(name: string): Position | undefined {
    return this.db.prepare<[string], { position: string }>('SELECT position FROM relay_checkpoints WHERE name = ?').get(name)?.position;
  }

  /** Saves the checkpoint only while `owner` holds the lease, in one transaction: a relay that lost its lease cannot move it. */
  saveCheckpoint(name: string, owner: string, position: Position, now: Date): boolean {
    return this.db
      .transaction(() => {
        if (!this.holds(name, owner, now)) return false;
        this.db
          .prepare('INSERT INTO relay_checkpoints (name, position, saved_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, saved_at = excluded.saved_at')
          .run(name, position, now.toISOString());
        return true;
      })
      .immediate();
  }

  /** Takes or renews the lease for `ttlMs` if it is free, expired, or already ours. */
  acquire(name: string, owner: string, now: Date, ttlMs: number): boolean {
    return this.db
      .transaction(() => {
        const current = this.db.prepare<[string], { owner: string; expires_at: number }>('SELECT owner, expires_at FROM relay_leases WHERE name = ?').get(name);
        if (current !== undefined && current.owner !== owner && current.expires_at > now.getTime()) return false;
        this.db
          .prepare('INSERT INTO relay_leases (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at')
          .run(name, owner, now.getTime() + ttlMs);
        return true;
      })
      .immediate();
  }

  holds(name: string, owner: string, now: Date): boolean {
    const current = this.db.prepare<[string], { owner: string; expires_at: number }>('SELECT owner, expires_at FROM relay_leases WHERE name = ?').get(name);
    return current !== undefined && current.owner === owner && current.expires_at > now.getTime();
  }

  release(name: string, owner: string): void {
    this.db.prepare('DELETE FROM relay_leases WHERE name = ? AND owner = ?').run(name, owner);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
