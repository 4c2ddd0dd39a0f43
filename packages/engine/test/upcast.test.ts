import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { EVENT_VERSIONS, defaultDecisionPolicy, fold } from '@caseflow/domain';
import type { EventToAppend } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { CommandEngine, fixedClock, readHistory, readTicketAt, streamOf, ticketView } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'caseflow-upcast-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const admin = { id: 'alice', role: 'customer-admin', tenant: 'contoso' };
const agent = { id: 'sam', role: 'agent', tenant: 'support' };

/** An event exactly as caseflow wrote it before TicketOpened v2: version 1 in the metadata, `relatedTicketId` in the data. */
function storedV1(id: string, type: string, occurredAt: string, actor: object, data: Record<string, unknown>): EventToAppend {
  const commandId = `v1-${id}`;
  return { id, type, data, metadata: { version: 1, ticketId: 'T-FOLLOW', occurredAt, actor, commandId, $correlationId: commandId, $causationId: commandId } };
}

const V1_HISTORY: EventToAppend[] = [
  storedV1('0b0d7a2e-0000-4000-8000-000000000001', 'TicketOpened', '2026-03-02T09:00:00.000Z', admin, {
    tenant: 'contoso',
    plan: 'enterprise',
    region: 'US',
    advancedAgreement: false,
    category: 'technical',
    severity: 'B',
    title: 'Mail flow down again',
    description: 'The connector fails like last month',
    contact: { email: 'alice@contoso.example', preferred: 'email' },
    language: 'en',
    policy: { id: 'm365-default', version: 1 },
    relatedTicketId: 'T-EARLIER',
  }),
  storedV1('0b0d7a2e-0000-4000-8000-000000000002', 'TicketTriaged', '2026-03-02T10:00:00.000Z', agent, { severity: 'B', category: 'technical', owner: 'sam' }),
  storedV1('0b0d7a2e-0000-4000-8000-000000000003', 'TicketResolved', '2026-03-03T10:00:00.000Z', agent, { summary: 'Renewed the certificate' }),
];

describe('a stored v1 history replays as the current version', () => {
  it('upcasts TicketOpened v1 to v2 on every read path, and the ticket takes new commands', async () => {
    // Given a ticket stream written by a caseflow that knew TicketOpened v1 only.
    expect(EVENT_VERSIONS.TicketOpened).toBe(2);
    const store = openSqliteEventStore(join(dir, 'v1.db'));
    try {
      await store.appendToStream(streamOf('T-FOLLOW'), V1_HISTORY, 'no_stream');

      // When it is read back, the open is version 2 with the link under its new name...
      const history = await readHistory(store, 'T-FOLLOW');
      const opened = history[0]?.event;
      expect(opened).toMatchObject({ type: 'TicketOpened', version: 2, data: { followUpOf: 'T-EARLIER' } });
      expect(opened?.data).not.toHaveProperty('relatedTicketId');
      // ...the stored bytes are untouched (never rewritten)...
      const [raw] = await store.readStream(streamOf('T-FOLLOW'));
      expect(raw?.metadata.version).toBe(1);
      expect(raw?.data.relatedTicketId).toBe('T-EARLIER');
      // ...the folded ticket and its view keep the link...
      const state = fold(history.map((h) => h.event));
      expect(state).toMatchObject({ status: 'resolved', ticket: { relatedTicketId: 'T-EARLIER', owner: 'sam' } });
      expect(ticketView(state, 2n)).toMatchObject({ state: 'resolved', relatedTicketId: 'T-EARLIER', revision: 2 });
      expect(await readTicketAt(store, 'T-FOLLOW', new Date('2026-03-02T12:00:00Z'))).toMatchObject({ state: 'triaged', relatedTicketId: 'T-EARLIER' });

      // ...and the engine decides on it: the customer closes, and the new event is written at the current versions.
      const engine = new CommandEngine({ store, clock: fixedClock(new Date('2026-03-04T09:00:00Z')), policy: defaultDecisionPolicy });
      const result = await engine.handle({ type: 'close', commandId: 'close-1', ticketId: 'T-FOLLOW', actor: admin, reason: 'confirmed' });
      expect(result.ok).toBe(true);
      const after = await store.readStream(streamOf('T-FOLLOW'));
      expect(after.map((r) => [r.type, r.metadata.version])).toEqual([
        ['TicketOpened', 1],
        ['TicketTriaged', 1],
        ['TicketResolved', 1],
        ['TicketClosed', EVENT_VERSIONS.TicketClosed],
      ]);
    } finally {
      await store.close();
    }
  });

  it('a v1 open without a link upcasts to a v2 open without one', async () => {
    const store = openSqliteEventStore(join(dir, 'v1-unlinked.db'));
    try {
      const { relatedTicketId: _dropped, ...unlinked } = V1_HISTORY[0]!.data;
      await store.appendToStream(streamOf('T-FOLLOW'), [{ ...V1_HISTORY[0]!, data: unlinked }], 'no_stream');
      const [opened] = await readHistory(store, 'T-FOLLOW');
      expect(opened?.event).toMatchObject({ version: 2, data: { title: 'Mail flow down again' } });
      expect(opened?.event.data).not.toHaveProperty('followUpOf');
    } finally {
      await store.close();
    }
  });
});
