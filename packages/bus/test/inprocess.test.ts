import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { openInProcessBus } from '../src/index.js';
import type { ReceivedMessage } from '../src/index.js';
import { describeBusContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'caseflow-bus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const freshFile = () => join(dir, `${randomUUID()}.db`);

// One file for the whole suite: the buses it opens share it, as processes restarted on ./data would.
const suiteFile = freshFile();
describeBusContract('in-process', () => Promise.resolve(openInProcessBus(suiteFile)));

describe('in-process bus: the SQLite file', () => {
  it('shares the file with the event store without touching its table or its schema version', async () => {
    const file = freshFile();
    const store = openSqliteEventStore(file);
    await store.appendToStream('ticket-1', [{ id: randomUUID(), type: 'TicketOpened', data: { title: 'Mail flow down' } }], 'no_stream');
    const bus = openInProcessBus(file);
    await bus.ensureTopic('caseflow.ticket-events.v1', { partitions: 6 });
    await bus.publish('caseflow.ticket-events.v1', [{ key: '1', value: '{}' }]);
    await store.appendToStream('ticket-1', [{ id: randomUUID(), type: 'TicketTriaged', data: {} }], 0n);
    await bus.close();
    await store.close();

    const db = new Database(file, { readonly: true });
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables.map((t) => t.name)).toEqual(['bus_messages', 'bus_offsets', 'bus_schema', 'bus_topics', 'events', 'sqlite_sequence']);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare('SELECT version FROM bus_schema').get()).toEqual({ version: 1 });
    db.close();
    const reopened = openSqliteEventStore(file);
    expect((await reopened.readStream('ticket-1')).map((e) => e.type)).toEqual(['TicketOpened', 'TicketTriaged']);
    await reopened.close();
  });

  it('refuses a file written by a newer bus schema instead of guessing', () => {
    const file = freshFile();
    const db = new Database(file);
    db.exec('CREATE TABLE bus_schema (version INTEGER NOT NULL); INSERT INTO bus_schema VALUES (99);');
    db.close();
    expect(() => openInProcessBus(file)).toThrow(/bus schema 99/);
  });

  it('finds messages that another bus on the file published, by polling', async () => {
    const file = freshFile();
    const subscriber = openInProcessBus(file, { pollIntervalMs: 20 });
    await subscriber.ensureTopic('t', { partitions: 3 });
    const received: ReceivedMessage[] = [];
    await subscriber.subscribe({ group: 'g', topics: ['t'] }, (m) => {
      received.push(m);
      return Promise.resolve();
    });
    // A plain connection stands in for another process: no in-process wake-up reaches the subscriber.
    const other = new Database(file);
    other
      .prepare('INSERT INTO bus_messages (topic, "partition", "offset", key, value, headers, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run('t', 0, 0, 'k', Buffer.from('from elsewhere'), '{}', new Date().toISOString());
    other.close();
    for (let waited = 0; received.length === 0 && waited < 2_000; waited += 10) await sleep(10);
    expect(received.map((m) => m.value.toString())).toEqual(['from elsewhere']);
    await subscriber.close();
  });

  it('reports a subscription that stops because the file failed, and stays closable', async () => {
    const file = freshFile();
    const bus = openInProcessBus(file, { pollIntervalMs: 20 });
    await bus.ensureTopic('t', { partitions: 1 });
    const stopped: Error[] = [];
    const subscription = await bus.subscribe({ group: 'g', topics: ['t'], onStopped: (e) => stopped.push(e) }, () => Promise.resolve());
    const vandal = new Database(file);
    vandal.exec('DROP TABLE bus_offsets');
    vandal.close();
    for (let waited = 0; stopped.length === 0 && waited < 2_000; waited += 10) await sleep(10);
    expect(stopped[0]?.message).toMatch(/bus_offsets/);
    await subscription.close();
    await bus.close();
  });
});
