import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import type { RecordedEvent } from '../src/index.js';
import { openSqliteEventStore } from '../src/index.js';
import { describeEventStoreContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'caseflow-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const freshFile = () => join(dir, `${randomUUID()}.db`);

describeEventStoreContract('sqlite', () => Promise.resolve(openSqliteEventStore(freshFile())));

const worker = new URL('./fixtures/append-worker.mjs', import.meta.url).pathname;

interface Finished {
  acknowledged: string[];
  code: number | null;
}

function runWorker(file: string, name: string, count: number, streams: string[], killAfter?: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, file, name, String(count), streams.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged: string[] = [];
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      acknowledged.push(...lines);
      if (killAfter !== undefined && acknowledged.length >= killAfter) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`worker ${name} failed (${code}): ${stderr}`));
      else resolve({ acknowledged, code });
    });
  });
}

async function everything(file: string): Promise<RecordedEvent[]> {
  const store = openSqliteEventStore(file);
  const all: RecordedEvent[] = [];
  for await (const event of store.readAll()) all.push(event);
  await store.close();
  return all;
}

describe('sqlite adapter: several processes on one file', () => {
  it('loses and duplicates nothing when four processes append to the same streams at once', async () => {
    const file = freshFile();
    const streams = ['ticket-a', 'ticket-b', 'ticket-c'];
    const runs = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => runWorker(file, w, 40, streams)));
    const acknowledged = runs.flatMap((r) => r.acknowledged);
    expect(acknowledged).toHaveLength(160);

    const all = await everything(file);
    expect(all.map((e) => e.id).sort()).toEqual([...acknowledged].sort());
    const positions = all.map((e) => BigInt(e.position));
    expect(positions.every((p, i) => i === 0 || p > (positions[i - 1] as bigint))).toBe(true);
    for (const stream of streams) {
      const revisions = all.filter((e) => e.stream === stream).map((e) => e.revision);
      expect(revisions).toEqual(revisions.map((_, i) => BigInt(i)));
    }
  }, 60_000);

  it('keeps every acknowledged event when a writer is killed with SIGKILL mid-stream', async () => {
    const file = freshFile();
    const killed = await runWorker(file, 'doomed', 100_000, ['ticket-k'], 200);
    expect(killed.acknowledged.length).toBeGreaterThanOrEqual(200);
    const stored = new Set((await everything(file)).map((e) => e.id));
    for (const id of killed.acknowledged) expect(stored.has(id)).toBe(true);
  }, 60_000);

  it('wakes a subscriber in another store instance when events are appended', async () => {
    const file = freshFile();
    const writer = openSqliteEventStore(file);
    const reader = openSqliteEventStore(file, { pollIntervalMs: 10_000 });
    const subscription = reader.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    const next = iterator.next();
    await writer.appendToStream('ticket-w', [{ id: randomUUID(), type: 'Woke', data: {} }], 'no_stream');
    const started = Date.now();
    const woken: IteratorResult<RecordedEvent> = await next;
    expect(woken.done).toBe(false);
    expect((woken.value as RecordedEvent).type).toBe('Woke');
    // Same process: the append notifies at once instead of waiting out the 10 s poll.
    expect(Date.now() - started).toBeLessThan(5_000);
    await subscription.close();
    await Promise.all([writer.close(), reader.close()]);
  });
});

describe('sqlite adapter: the file', () => {
  it('keeps the file in WAL mode so readers never block the writer', async () => {
    const file = freshFile();
    const store = openSqliteEventStore(file);
    await store.appendToStream('ticket-d', [{ id: randomUUID(), type: 'T', data: {} }], 'any');
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
  });

  it('refuses a file written by a newer schema instead of guessing', () => {
    const file = freshFile();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openSqliteEventStore(file)).toThrow(/schema 99/);
  });

  it('rejects a position it did not produce', async () => {
    const store = openSqliteEventStore(freshFile());
    await expect(async () => {
      for await (const _ of store.readAll('C:1/P:1')) break;
    }).rejects.toThrow(/not a SQLite event store position/);
    await store.close();
  });
});

describe('sqlite adapter: lag', () => {
  it('counts the events after a position, and the whole log without one', async () => {
    const store = openSqliteEventStore(freshFile());
    const event = () => ({ id: randomUUID(), type: 'Noted', data: {} });
    expect(store.countAfter()).toBe(0);
    const first = await store.appendToStream('ticket-a', [event(), event()], 'no_stream');
    await store.appendToStream('ticket-b', [event(), event(), event()], 'no_stream');
    expect(store.countAfter()).toBe(5);
    expect(store.countAfter(first.position)).toBe(3);
    await store.close();
  });
});
