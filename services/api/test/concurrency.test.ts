/**
 * Writers racing on one ticket over HTTP: with If-Match exactly one of them wins; without it none
 * is lost; and an Idempotency-Key makes a repeated request (one after the other, or at once)
 * take effect once, per caller.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Reply, TestApi } from '../src/testing.js';
import { removeTestFiles, startTestApi } from '../src/testing.js';
import { openBody } from './support.js';

afterAll(removeTestFiles);

interface TicketBody {
  id: string;
  revision: number;
}
interface HistoryBody {
  events: { revision: number; event: { type: string; commandId: string; actor: { id: string }; data: { text?: string } } }[];
}
const ticketOf = (reply: Reply) => reply.body as TicketBody;

/** Writers sent together. */
const RACERS = 10;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  // The SQLite store answers within the tick, so in one process no request ever comes between
  // another's load and append, and the race would never be run. A store across the network
  // (EventStoreDB) leaves that window open; so does this one: each append waits a turn first.
  const { store } = api;
  const append = store.appendToStream.bind(store);
  store.appendToStream = async (stream, events, expected) => {
    await nextTurn();
    return append(stream, events, expected);
  };
});
afterAll(() => api.close());

async function openTicket(): Promise<string> {
  const opened = await api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody() });
  expect(opened.status).toBe(201);
  return ticketOf(opened).id;
}

const history = async (ticketId: string) => (await api.request('GET', `/v1/tickets/${ticketId}/history`, { as: 'sam@support' })).body as HistoryBody;
const revisionOf = async (ticketId: string) => ticketOf(await api.request('GET', `/v1/tickets/${ticketId}`, { as: 'sam@support' })).revision;

/** Commands an opened ticket accepts, from different people: any one of them could win. */
const contenders = (round: number) => [
  ...Array.from({ length: RACERS - 4 }, (_, i) => ({ as: 'sam@support', command: 'note', body: { text: `Round ${round}, note ${i}` } })),
  { as: 'alice@contoso', command: 'note', body: { text: `Round ${round}: the customer adds a detail` } },
  { as: 'sue@support', command: 'assign', body: { owner: `agent-${round}@support` } },
  { as: 'pat@adatum-partners', command: 'note', body: { text: `Round ${round}: the partner chimes in` } },
  { as: 'sam@support', command: 'note', body: { text: `Round ${round}: internal`, visibility: 'internal' } },
];

describe('concurrent updates with the same If-Match', () => {
  it.each([0, 1, 2])(`at revision %i, of ${RACERS} writers exactly one wins; the others get 412 and the ticket moves one revision`, async (round) => {
    const ticketId = await openTicket();
    // Earlier rounds' winners bring the ticket to this round's revision.
    for (let revision = 0; revision < round; revision++) {
      expect((await api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text: `Setup ${revision}` } })).status).toBe(200);
    }
    const before = api.eventCount();
    const ifMatch = `"${round}"`;

    const replies = await Promise.all(
      contenders(round).map(({ as, command, body }) => api.request('POST', `/v1/tickets/${ticketId}/${command}`, { as, body, headers: { 'if-match': ifMatch } })),
    );

    const winners = replies.filter((reply) => reply.status === 200);
    const losers = replies.filter((reply) => reply.status !== 200);
    expect(winners).toHaveLength(1);
    // A loser either saw the winner's revision when it loaded, or lost the append and saw it on reloading.
    for (const loser of losers) expect(loser.body).toMatchObject({ status: 412, code: 'precondition_failed', expected: round, actual: round + 1 });
    expect(winners[0]?.headers.get('etag')).toBe(`"${round + 1}"`);
    expect(api.eventCount()).toBe(before + 1);
    expect(await revisionOf(ticketId)).toBe(round + 1);
  });
});

describe('concurrent updates without If-Match', () => {
  it('none is lost: the ticket moves one revision per accepted note, and a refusal is only ever a 409 conflict', async () => {
    const ticketId = await openTicket();
    const before = api.eventCount();
    const texts = Array.from({ length: RACERS }, (_, i) => `Note ${i}`);

    const replies = await Promise.all(texts.map((text) => api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text } })));

    const accepted = replies.filter((reply) => reply.status === 200);
    for (const refused of replies.filter((reply) => reply.status !== 200)) expect(refused.body).toMatchObject({ status: 409, code: 'conflict' });
    expect(accepted.length).toBeGreaterThan(0);
    expect(api.eventCount()).toBe(before + accepted.length);
    expect(await revisionOf(ticketId)).toBe(accepted.length);
    const stored = (await history(ticketId)).events.flatMap(({ event }) => (event.type === 'NoteAdded' ? [event.data.text] : []));
    expect(new Set(stored)).toEqual(new Set(texts.filter((_, i) => replies[i]?.status === 200)));
  });
});

describe('Idempotency-Key', () => {
  it('an open sent twice opens one ticket: 201, then 200 with idempotent-replayed and the same answer', async () => {
    const before = api.eventCount();
    const send = () => api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody(), headers: { 'idempotency-key': 'open-once' } });

    const first = await send();
    const second = await send();

    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.headers.get('etag')).toBe('"0"');
    expect(api.eventCount()).toBe(before + 1);
  });

  it('a command sent again after others answers as the first time, at the revision it left the ticket', async () => {
    const ticketId = await openTicket();
    const send = (text: string) =>
      api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text }, headers: { 'idempotency-key': 'note-once' } });
    const first = await send('The first wording');
    expect((await api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sue@support', body: { text: 'Meanwhile' } })).status).toBe(200);
    const before = api.eventCount();

    // A repeat is recognised by its key alone: a changed body is the same command.
    const again = await send('A second wording');

    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('etag')).toBe('"1"');
    expect(again.body).toEqual(first.body);
    expect(api.eventCount()).toBe(before);
    const notes = (await history(ticketId)).events.flatMap(({ event }) => (event.type === 'NoteAdded' ? [event.data.text] : []));
    expect(notes).toEqual(['The first wording', 'Meanwhile']);
  });

  it(`the same open sent ${RACERS} times at once opens one ticket, and every answer names it`, async () => {
    const before = api.eventCount();

    const replies = await Promise.all(
      Array.from({ length: RACERS }, () => api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody(), headers: { 'idempotency-key': 'open-at-once' } })),
    );

    // One of them opened it; the others are answered as the repeats they are.
    expect(replies.filter((reply) => reply.status === 201 && reply.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect(replies.filter((reply) => reply.status === 200 && reply.headers.get('idempotent-replayed') === 'true')).toHaveLength(RACERS - 1);
    expect(new Set(replies.map((reply) => ticketOf(reply).id)).size).toBe(1);
    expect(api.eventCount()).toBe(before + 1);
  });

  it(`the same note sent ${RACERS} times at once is recorded once`, async () => {
    const ticketId = await openTicket();
    const before = api.eventCount();

    const replies = await Promise.all(
      Array.from({ length: RACERS }, () =>
        api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text: 'Once' }, headers: { 'idempotency-key': 'note-at-once' } }),
      ),
    );

    for (const reply of replies) expect(reply.status).toBe(200);
    expect(replies.filter((reply) => reply.headers.get('idempotent-replayed') === 'true')).toHaveLength(RACERS - 1);
    expect(new Set(replies.map((reply) => reply.headers.get('etag')))).toEqual(new Set(['"1"']));
    expect(api.eventCount()).toBe(before + 1);
  });

  it('the same key from two callers is two commands: two tickets', async () => {
    const before = api.eventCount();
    const headers = { 'idempotency-key': 'shared-key' };

    const alice = await api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody(), headers });
    const pat = await api.request('POST', '/v1/tickets', { as: 'pat@adatum-partners', body: openBody({ tenant: 'contoso' }), headers });

    expect([alice.status, pat.status]).toEqual([201, 201]);
    expect(ticketOf(alice).id).not.toBe(ticketOf(pat).id);
    expect(api.eventCount()).toBe(before + 2);
  });

  it('the same key from two callers on one ticket is two notes', async () => {
    const ticketId = await openTicket();
    const headers = { 'idempotency-key': 'shared-note-key' };

    const sam = await api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text: 'From Sam' }, headers });
    const sue = await api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sue@support', body: { text: 'From Sue' }, headers });

    expect([sam.status, sue.status]).toEqual([200, 200]);
    expect(sue.headers.get('idempotent-replayed')).toBeNull();
    const notes = (await history(ticketId)).events.flatMap(({ event }) => (event.type === 'NoteAdded' ? [[event.actor.id, event.data.text]] : []));
    expect(notes).toEqual([
      ['sam@support', 'From Sam'],
      ['sue@support', 'From Sue'],
    ]);
  });

  it('the same key from one caller on two tickets is two commands', async () => {
    const [first, second] = [await openTicket(), await openTicket()];
    const headers = { 'idempotency-key': 'per-ticket-key' };

    const replies = [
      await api.request('POST', `/v1/tickets/${first}/note`, { as: 'sam@support', body: { text: 'Same key' }, headers }),
      await api.request('POST', `/v1/tickets/${second}/note`, { as: 'sam@support', body: { text: 'Same key' }, headers }),
    ];

    expect(replies.map((reply) => [reply.status, reply.headers.get('idempotent-replayed')])).toEqual([
      [200, null],
      [200, null],
    ]);
    expect([await revisionOf(first), await revisionOf(second)]).toEqual([1, 1]);
  });
});
