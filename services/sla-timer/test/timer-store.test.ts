import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '@caseflow/eventstore';
import type { PendingTimer } from '../src/index.js';
import { SlaTimerStore } from '../src/index.js';
import { T0 } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'caseflow-sla-timer-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = () => join(dir, `${randomUUID()}.db`);

const warning = (at: number): PendingTimer => ({ at: new Date(at), reason: 'warning', clock: 'initial-response', cycle: 0, level: 1 });

describe('SlaTimerStore', () => {
  it('keeps one timer per ticket, replaced only from the same or a newer revision', () => {
    const timers = new SlaTimerStore(file());
    expect(timers.save({ ticketId: 't1', revision: 3n, timer: warning(T0), attempts: 0 })).toBe(true);
    // An older history (a late duplicate, a slower worker) does not overwrite a newer one.
    expect(timers.save({ ticketId: 't1', revision: 2n, timer: undefined, attempts: 0 })).toBe(false);
    expect(timers.get('t1')).toEqual({ ticketId: 't1', revision: 3n, timer: warning(T0), attempts: 0 });
    expect(timers.save({ ticketId: 't1', revision: 4n, timer: { at: new Date(T0 + 5), reason: 'auto-close', cycle: 1 }, attempts: 2 })).toBe(true);
    expect(timers.get('t1')).toEqual({ ticketId: 't1', revision: 4n, timer: { at: new Date(T0 + 5), reason: 'auto-close', cycle: 1 }, attempts: 2 });
    expect(timers.lastRevision('t1')).toBe(4n);
    expect(timers.lastRevision('nope')).toBeUndefined();
    expect(timers.get('nope')).toBeUndefined();
    timers.close();
  });

  it('lists due timers earliest first, up to a limit, and says when the next one is due', () => {
    const timers = new SlaTimerStore(file());
    expect(timers.nextDueAt()).toBeUndefined();
    timers.saveMany([
      { ticketId: 'late', revision: 0n, timer: warning(T0 + 30), attempts: 0 },
      { ticketId: 'early', revision: 0n, timer: warning(T0 + 10), attempts: 0 },
      { ticketId: 'middle', revision: 0n, timer: warning(T0 + 20), attempts: 0 },
      { ticketId: 'idle', revision: 5n, timer: undefined, attempts: 0 },
    ]);
    expect(timers.due(new Date(T0 + 20), 10).map((t) => t.ticketId)).toEqual(['early', 'middle']);
    expect(timers.due(new Date(T0 + 100), 1).map((t) => t.ticketId)).toEqual(['early']);
    expect(timers.due(new Date(T0), 10)).toEqual([]);
    expect(timers.nextDueAt()).toEqual(new Date(T0 + 10));
    expect(timers.count()).toEqual({ tickets: 4, pending: 3 });
    timers.forget('early');
    expect(timers.nextDueAt()).toEqual(new Date(T0 + 20));
    timers.close();
  });

  it('shares the event store file, survives being reopened, and refuses a schema newer than it knows', () => {
    const path = file();
    const store = openSqliteEventStore(path);
    const timers = new SlaTimerStore(path);
    timers.save({ ticketId: 't', revision: 1n, timer: warning(T0), attempts: 0 });
    timers.close();
    const again = new SlaTimerStore(path);
    expect(again.get('t')?.timer).toEqual(warning(T0));
    again.close();

    const db = new Database(path);
    db.exec('UPDATE sla_timer_schema SET version = 99');
    db.close();
    expect(() => new SlaTimerStore(path)).toThrow(/sla-timer schema 99; this caseflow knows up to 1/);
    return store.close();
  });
});
