import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import type { Actor, CommandInput } from '@caseflow/domain';
import { defaultDecisionPolicy } from '@caseflow/domain';
import type { EventStore, RecordedEvent } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import type { Clock, HandleResult } from '../src/index.js';
import { CommandEngine, readHistory, readTicketAt, streamOf } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'caseflow-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const stores: EventStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const admin: Actor = { id: 'alice', role: 'customer-admin', tenant: 'contoso' };
const agent: Actor = { id: 'sam', role: 'agent', tenant: 'support' };

/** A clock the test moves by hand. */
function manualClock(start = '2026-11-02T09:00:00Z') {
  let now = new Date(start);
  const clock: Clock = { now: () => now };
  return { clock, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

function setup(file = join(dir, `${randomUUID()}.db`)) {
  const store = openSqliteEventStore(file);
  stores.push(store);
  const time = manualClock();
  const engine = new CommandEngine({ store, clock: time.clock, policy: defaultDecisionPolicy });
  return { file, store, engine, ...time };
}

const openCommand = (commandId: string = randomUUID()): CommandInput =>
  ({
    type: 'open',
    commandId,
    actor: admin,
    tenant: 'contoso',
    plan: 'enterprise',
    region: 'US',
    category: 'technical',
    severity: 'B',
    title: 'Mail flow down',
    contact: { email: 'alice@contoso.example', preferred: 'email' },
    language: 'en',
  }) as CommandInput;

function accepted(result: HandleResult) {
  if (!result.ok) throw new Error(`expected acceptance, got ${result.rejection.code}: ${result.rejection.message}`);
  return result;
}
function refused(result: HandleResult) {
  if (result.ok) throw new Error(`expected a refusal, got ${result.events.map((e) => e.type).join(', ')}`);
  return result.rejection;
}

async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const e of store.readAll()) events.push(e);
  return events;
}

describe('CommandEngine', () => {
  it('opens a ticket under an id derived from the command id and moves it through its lifecycle', async () => {
    const { engine, advance } = setup();
    const opened = accepted(await engine.handle(openCommand('open-1')));
    expect(opened.revision).toBe(0n);
    expect(opened.state.status).toBe('opened');
    const again = accepted(await engine.handle(openCommand('open-1')));
    expect(again.ticketId).toBe(opened.ticketId);

    advance(60_000);
    const triaged = accepted(await engine.handle({ type: 'triage', commandId: randomUUID(), ticketId: opened.ticketId, actor: agent, severity: 'A' }));
    expect(triaged.revision).toBe(1n);
    expect(triaged.state.status).toBe('triaged');
    expect(triaged.state.ticket?.severity).toBe('A');
    expect(triaged.events.map((e) => e.type)).toEqual(['TicketTriaged']);
    expect(triaged.events[0]?.occurredAt).toBe('2026-11-02T09:01:00.000Z');
  });

  it('returns the first result for a repeated command id and appends nothing', async () => {
    const { engine, store, advance } = setup();
    const { ticketId } = accepted(await engine.handle(openCommand()));
    advance(1_000);
    const note = { type: 'note', commandId: 'note-1', ticketId, actor: agent, text: 'Looking into it' } as const;
    const first = accepted(await engine.handle(note));
    advance(5_000);
    const second = accepted(await engine.handle(note));
    expect(first.repeated).toBe(false);
    expect(second.repeated).toBe(true);
    expect(second.events).toEqual(first.events);
    expect(second.revision).toBe(first.revision);
    expect(await allEvents(store)).toHaveLength(2);

    // Also from a second engine with a cold cache: the store, not memory, remembers.
    const other = new CommandEngine({ store, clock: { now: () => new Date('2026-11-03T00:00:00Z') }, policy: defaultDecisionPolicy });
    const third = accepted(await other.handle(note));
    expect(third.repeated).toBe(true);
    expect(third.events).toEqual(first.events);
    expect(await allEvents(store)).toHaveLength(2);
  });

  it('refuses a command for a ticket that does not exist with not_found', async () => {
    const { engine, store } = setup();
    const rejection = refused(await engine.handle({ type: 'triage', commandId: randomUUID(), ticketId: 'missing', actor: agent }));
    expect(rejection.code).toBe('not_found');
    expect(await allEvents(store)).toHaveLength(0);
  });

  it('stores nothing for an invalid or refused command', async () => {
    const { engine, store } = setup();
    const { ticketId } = accepted(await engine.handle(openCommand()));
    expect(refused(await engine.handle({ type: 'resolve', commandId: randomUUID(), ticketId, actor: agent, text: 'done' })).code).toBe(
      'invalid_transition',
    );
    expect(refused(await engine.handle({ type: 'triage', commandId: randomUUID(), ticketId, actor: admin })).code).toBe('not_authorized');
    expect(refused(await engine.handle({ type: 'note', ticketId, actor: agent })).code).toBe('validation_failed');
    expect(refused(await engine.handle('not a command')).code).toBe('validation_failed');
    expect(await allEvents(store)).toHaveLength(1);
  });

  it('honours an expected revision (If-Match) and refuses a stale one with precondition_failed', async () => {
    const { engine, store } = setup();
    const { ticketId } = accepted(await engine.handle(openCommand()));
    const note = (text: string) => ({ type: 'note', commandId: randomUUID(), ticketId, actor: agent, text });
    accepted(await engine.handle(note('first'), { expectedRevision: 0n }));
    const stale = refused(await engine.handle(note('second'), { expectedRevision: 0n }));
    expect(stale).toMatchObject({ code: 'precondition_failed', expected: 0n, actual: 1n });
    expect(await allEvents(store)).toHaveLength(2);
  });

  it('sees what another engine appended since it cached the ticket', async () => {
    const a = setup();
    const storeB = openSqliteEventStore(a.file);
    stores.push(storeB);
    const b = new CommandEngine({ store: storeB, clock: a.clock, policy: defaultDecisionPolicy });
    const { ticketId } = accepted(await a.engine.handle(openCommand()));
    a.advance(1_000);
    accepted(await b.handle({ type: 'triage', commandId: randomUUID(), ticketId, actor: agent }));
    a.advance(1_000);
    // a's cache still says "opened"; it must catch up and see the triage before deciding.
    const requested = accepted(await a.engine.handle({ type: 'request-info', commandId: randomUUID(), ticketId, actor: agent }));
    expect(requested.state.status).toBe('awaitingCustomer');
    expect(requested.revision).toBe(2n);
  });

  it('retries concurrent commands on one ticket so that none is lost', async () => {
    const { file, engine, clock } = setup();
    const { ticketId } = accepted(await engine.handle(openCommand()));
    const engines = Array.from({ length: 4 }, () => {
      const store = openSqliteEventStore(file);
      stores.push(store);
      return new CommandEngine({ store, clock, policy: defaultDecisionPolicy, maxAttempts: 50 });
    });
    const results = await Promise.all(
      engines.flatMap((e, i) =>
        Array.from({ length: 10 }, (_, j) => e.handle({ type: 'note', commandId: `n-${i}-${j}`, ticketId, actor: agent, text: `note ${i}.${j}` })),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const stream = await engines[0]!.load(ticketId);
    expect(stream.revision).toBe(40n);
  });

  it('lets exactly one of two competing triages win; the loser is told the new state', async () => {
    const a = setup();
    const { ticketId } = accepted(await a.engine.handle(openCommand()));
    const store2 = openSqliteEventStore(a.file);
    stores.push(store2);
    const b = new CommandEngine({ store: store2, clock: a.clock, policy: defaultDecisionPolicy });
    await b.load(ticketId);
    const results = await Promise.all([
      a.engine.handle({ type: 'triage', commandId: randomUUID(), ticketId, actor: agent }),
      b.handle({ type: 'triage', commandId: randomUUID(), ticketId, actor: agent }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const loser = results.find((r) => !r.ok);
    expect(loser && !loser.ok && loser.rejection).toMatchObject({ code: 'invalid_transition', state: 'triaged' });
  });

  it('gives up with conflict when the ticket changes under it on every attempt', async () => {
    const { file, engine, clock } = setup();
    const { ticketId } = accepted(await engine.handle(openCommand()));
    const store = openSqliteEventStore(file);
    stores.push(store);
    const rivalStore = openSqliteEventStore(file);
    stores.push(rivalStore);
    const rival = new CommandEngine({ store: rivalStore, clock, policy: defaultDecisionPolicy });
    // Before each of our appends, a rival engine gets a note in first.
    const contested: EventStore = {
      appendToStream: async (stream, events, expected) => {
        accepted(await rival.handle({ type: 'note', commandId: randomUUID(), ticketId, actor: agent, text: 'rival' }));
        return store.appendToStream(stream, events, expected);
      },
      readStream: (s, o) => store.readStream(s, o),
      readAll: (p) => store.readAll(p),
      subscribeToAll: (p, f) => store.subscribeToAll(p, f),
      close: () => store.close(),
    };
    const contestedEngine = new CommandEngine({ store: contested, clock, policy: defaultDecisionPolicy, maxAttempts: 3 });
    const rejection = refused(await contestedEngine.handle({ type: 'note', commandId: randomUUID(), ticketId, actor: agent, text: 'mine' }));
    expect(rejection.code).toBe('conflict');
    const texts = (await store.readStream(streamOf(ticketId))).map((e) => e.data.text);
    expect(texts).toEqual([undefined, 'rival', 'rival', 'rival']);
  });

  it('reads the history with the state after each event, and the ticket as of an instant', async () => {
    const { engine, store, advance } = setup();
    const { ticketId } = accepted(await engine.handle(openCommand()));
    advance(3_600_000);
    accepted(await engine.handle({ type: 'triage', commandId: randomUUID(), ticketId, actor: agent, owner: 'sam' }));
    advance(3_600_000);
    accepted(await engine.handle({ type: 'resolve', commandId: randomUUID(), ticketId, actor: agent, text: 'Fixed' }));

    const history = await readHistory(store, ticketId);
    expect(history.map((h) => [h.event.type, h.stateAfter.state, h.revision])).toEqual([
      ['TicketOpened', 'opened', 0n],
      ['TicketTriaged', 'triaged', 1n],
      ['TicketResolved', 'resolved', 2n],
    ]);
    const asOf = await readTicketAt(store, ticketId, new Date('2026-11-02T10:30:00Z'));
    expect(asOf).toMatchObject({ state: 'triaged', owner: 'sam', revision: 1 });
    expect(await readTicketAt(store, ticketId, new Date('2026-11-02T08:59:59Z'))).toBeUndefined();
    expect(await readHistory(store, 'nope')).toEqual([]);
  });

  it('decides a ticket under the policy it was opened with, not a newer default', async () => {
    const { file, engine, advance } = setup();
    const { ticketId } = accepted(await engine.handle(openCommand()));
    for (const step of [
      { type: 'triage', actor: agent },
      { type: 'resolve', actor: agent, text: 'Fixed' },
      { type: 'close', actor: admin },
    ] as const) {
      advance(60_000);
      accepted(await engine.handle({ ...step, commandId: randomUUID(), ticketId }));
    }
    const store = openSqliteEventStore(file);
    stores.push(store);
    const stricter = { ...defaultDecisionPolicy, version: 2, reopenWindow: 'P7D' };
    const reopen = () => ({ type: 'reopen', commandId: randomUUID(), ticketId, actor: admin });
    const upgraded = new CommandEngine({ store, clock: { now: () => new Date('2026-11-12T09:10:00Z') }, policy: stricter, pinnedPolicies: [defaultDecisionPolicy] });
    // Ten days after closing: inside the pinned 14 days, although the new default allows 7.
    expect(accepted(await upgraded.handle(reopen())).state.status).toBe('reopened');

    const { ticketId: newer } = accepted(await upgraded.handle(openCommand()));
    expect((await upgraded.load(newer)).state.ticket?.policy).toEqual({ id: defaultDecisionPolicy.id, version: 2 });
  });
});
