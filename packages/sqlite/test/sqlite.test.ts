import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { migrateSchema, openSqliteFile } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'caseflow-sqlite-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openSqliteFile', () => {
  it('creates the directory and opens the file in WAL mode with a busy timeout', () => {
    const { db, file } = openSqliteFile(join(dir, 'nested', 'a.db'));
    expect(file).toBe(join(dir, 'nested', 'a.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(15000);
    db.close();
    const normal = openSqliteFile(join(dir, 'b.db'), { synchronous: 'normal' });
    expect(normal.db.pragma('synchronous', { simple: true })).toBe(1);
    normal.db.close();
  });
});

describe('migrateSchema', () => {
  const schema = (version: number, created: number[]) => ({
    component: 'widgets',
    table: 'widgets_schema',
    version,
    create: (db: ReturnType<typeof openSqliteFile>['db'], from: number) => {
      created.push(from);
      db.exec(`CREATE TABLE IF NOT EXISTS widgets_v${version} (id INTEGER)`);
    },
  });

  it('creates the tables once, upgrades a file that is behind, and refuses a newer one', () => {
    const { db, file } = openSqliteFile(join(dir, 'c.db'));
    const created: number[] = [];
    migrateSchema(db, file, schema(1, created));
    migrateSchema(db, file, schema(1, created));
    expect(created).toEqual([0]);
    migrateSchema(db, file, schema(2, created));
    expect(created).toEqual([0, 1]);
    expect(db.prepare('SELECT version FROM widgets_schema').all()).toEqual([{ version: 2 }]);
    expect(() => migrateSchema(db, file, schema(1, created))).toThrow(`${file} has widgets schema 2; this caseflow knows up to 1`);
    db.close();
  });
});
