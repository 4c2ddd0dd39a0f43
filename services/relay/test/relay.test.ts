import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Bus, ReceivedMessage, Subscription } from '@caseflow/bus';
import { openInProcessBus } from '@caseflow/bus';
import type { CommandEngine } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { EVENT_SOURCE, Relay, RelayBookkeeping, TICKET_EVENTS_TOPIC } from '../src/index.js';
import { accepted, engineOn, note, openTicket, scratchDirectory } from './support.js';

const dir = scratchDirectory('caseflow-relay-');

interface World {
  store: EventStore;
  bus: Bus;
  bookkeeping: RelayBookkeeping;
  engine: CommandEngine;
  close(): Promise<void>;
}

function world(file = join(dir, `${randomUUID()}.db`)): World {
  const store = openSqliteEventStore(file);
  const bus = openInProcessBus(file, { pollIntervalMs: 20 });
  const bookkeeping = new RelayBookkeeping(file);
  const engine = engineOn(store);
  return {
    store,
    bus,
    bookkeeping,
    engine,
    close: async () => {
      await bus.close();
      await store.close();
      bookkeeping.close();
    },
  };
}

async function ticketWithNotes(engine: CommandEngine, notes: number): Promise<string> {
  const ticketId = randomUUID();
  await accepted(engine, openTicket(ticketId));
  for (let i = 0; i < notes; i++) await accepted(engine, note(ticketId, `note ${i}`));
  return ticketId;
}

/** Collects what a consumer group receives until `count` messages arrived. */
async function consume(bus: Bus, count: number, group = `test-${randomUUID()}`): Promise<{ messages: ReceivedMessage[]; subscription: Subscription }> {
  const messages: ReceivedMessage[] = [];
  let done!: () => void;
  const enough = new Promise<void>((resolve) => (done = resolve));
  const subscription = await bus.subscribe({ group, topics: [TICKET_EVENTS_TOPIC], fromBeginning: true }, (message) => {
    messages.push(message);
    if (messages.length >= count) done();
    return Promise.resolve();
  });
  await Promise.race([enough, new Promise((_, fail) => setTimeout(() => fail(new Error(`only ${messages.length} of ${count} messages arrived`)), 10_000))]);
  return { messages, subscription };
}

const revisionsByTicket = (messages: ReceivedMessage[]) => {
  const byTicket = new Map<string, number[]>();
  for (const m of messages) byTicket.set(m.key, [...(byTicket.get(m.key) ?? []), Number(m.headers.caseflow_revision)]);
  return byTicket;
};

describe('Relay', () => {
  it('publishes every ticket event, before and after it starts, in order per ticket, as CloudEvents', async () => {
    const w = world();
    const first = await ticketWithNotes(w.engine, 3);
    const relay = new Relay({ store: w.store, bus: w.bus, bookkeeping: w.bookkeeping });
    await relay.start();
    const second = await ticketWithNotes(w.engine, 2);
    const { messages, subscription } = await consume(w.bus, 7);
    expect(revisionsByTicket(messages)).toEqual(new Map([[first, [0, 1, 2, 3]], [second, [0, 1, 2]]]));
    const opened = messages.find((m) => m.key === second && m.headers.caseflow_revision === '0');
    expect(opened?.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'caseflow.ticket.TicketOpened.v2',
      ce_source: EVENT_SOURCE,
      ce_subject: second,
      'content-type': 'application/json',
    });
    const envelope = JSON.parse(opened?.value.toString('utf8') ?? '{}') as { id: string; type: string; version: number; ticketId: string; occurredAt: string };
    expect(envelope).toMatchObject({ type: 'TicketOpened', version: 2, ticketId: second });
    expect(opened?.headers.ce_id).toBe(envelope.id);
    expect(opened?.headers.ce_time).toBe(envelope.occurredAt);
    await subscription.close();
    await relay.stop();
    await w.close();
  });

  it('resumes from its checkpoint after a restart, sending nothing twice', async () => {
    const w = world();
    await ticketWithNotes(w.engine, 4);
    const relay = new Relay({ store: w.store, bus: w.bus, bookkeeping: w.bookkeeping });
    await relay.start();
    const before = await consume(w.bus, 5);
    await before.subscription.close();
    await relay.stop();

    await ticketWithNotes(w.engine, 1);
    const again = new Relay({ store: w.store, bus: w.bus, bookkeeping: w.bookkeeping });
    await again.start();
    const after = await consume(w.bus, 7);
    await new Promise((settle) => setTimeout(settle, 200));
    expect(after.messages).toHaveLength(7);
    expect(new Set(after.messages.map((m) => m.headers.ce_id)).size).toBe(7);
    await after.subscription.close();
    await again.stop();
    await w.close();
  });

  it('lets one relay work at a time: a second waits for the lease and takes over when the first stops', async () => {
    const w = world();
    const first = new Relay({ store: w.store, bus: w.bus, bookkeeping: w.bookkeeping, leaseMs: 400 });
    await first.start();
    const second = new Relay({ store: w.store, bus: w.bus, bookkeeping: w.bookkeeping, leaseMs: 400 });
    const secondStarted = second.start();
    await ticketWithNotes(w.engine, 1);
    await new Promise((settle) => setTimeout(settle, 600));
    expect(first.active).toBe(true);
    expect(second.active).toBe(false);

    await first.stop();
    await secondStarted;
    expect(second.active).toBe(true);
    await ticketWithNotes(w.engine, 1);
    const { messages, subscription } = await consume(w.bus, 4);
    await new Promise((settle) => setTimeout(settle, 200));
    // Each event exactly once, although two relays took turns.
    expect(new Set(messages.map((m) => m.headers.ce_id)).size).toBe(messages.length);
    expect(messages).toHaveLength(4);
    await subscription.close();
    await second.stop();
    await w.close();
  });

  it('takes over from a relay whose lease ran out without being renewed', () => {
    const w = world();
    const t0 = new Date('2026-11-02T09:00:00Z');
    expect(w.bookkeeping.acquire('relay', 'dead', t0, 1_000)).toBe(true);
    expect(w.bookkeeping.acquire('relay', 'standby', new Date(t0.getTime() + 999), 1_000)).toBe(false);
    expect(w.bookkeeping.acquire('relay', 'standby', new Date(t0.getTime() + 1_000), 1_000)).toBe(true);
    // The relay that lost its lease can no longer move the checkpoint.
    expect(w.bookkeeping.saveCheckpoint('relay', 'dead', '42', new Date(t0.getTime() + 1_001))).toBe(false);
    expect(w.bookkeeping.checkpoint('relay')).toBeUndefined();
    expect(w.bookkeeping.saveCheckpoint('relay', 'standby', '42', new Date(t0.getTime() + 1_001))).toBe(true);
    expect(w.bookkeeping.checkpoint('relay')).toBe('42');
    return w.close();
  });
});
