import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { streamOf } from '@caseflow/engine';
import { defaultPolicy } from '@caseflow/sla';
import type { TicketList, TicketQuery, TicketSummary } from '../src/index.js';
import { InvalidCursorError } from '../src/index.js';
import { HOUR, MINUTE, T0, World, adminOf, agent, iso, resolutionPolicy, scratchDirectory, waitFor } from './world.js';

const scratch = scratchDirectory();
afterAll(() => scratch.remove());
const worlds: World[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

function world(policy = defaultPolicy): World {
  const w = new World(scratch.file(), policy);
  worlds.push(w);
  return w;
}

const ids = (items: readonly TicketSummary[]) => items.map((item) => item.id);
const NOW = new Date(T0 + 10 * MINUTE);

/** Walks every page of a query, `between` pages; the ids in the order served. */
async function walk(list: TicketList, query: TicketQuery, between: () => Promise<void> = () => Promise.resolve()): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = list.query({ ...query, ...(cursor === undefined ? {} : { cursor }) }, NOW);
    seen.push(...ids(page.items));
    cursor = page.nextCursor;
    await between();
  } while (cursor !== undefined);
  return seen;
}

describe('TicketList: filters', () => {
  /** Four tickets, one a minute: contoso A triaged (sam), fabrikam B opened, contoso B awaiting the customer (kim), fabrikam A closed. */
  async function fourTickets() {
    const w = world();
    const list = await w.started();
    const triaged = await w.open({ tenant: 'contoso', severity: 'A', title: 'Sign-in fails', at: T0 });
    await w.command({ type: 'triage', ticketId: triaged, actor: agent, owner: 'sam' });
    const opened = await w.open({ tenant: 'fabrikam', severity: 'B', at: T0 + MINUTE });
    const awaiting = await w.open({ tenant: 'contoso', severity: 'B', at: T0 + 2 * MINUTE });
    await w.command({ type: 'triage', ticketId: awaiting, actor: agent, owner: 'kim' });
    await w.command({ type: 'request-info', ticketId: awaiting, actor: agent, text: 'A message trace, please' });
    const closed = await w.open({ tenant: 'fabrikam', severity: 'A', at: T0 + 3 * MINUTE });
    await w.command({ type: 'close', ticketId: closed, actor: adminOf('fabrikam'), reason: 'duplicate' });
    await list.caughtUpTo(await w.positionOf(closed));
    return { w, list, triaged, opened, awaiting, closed };
  }

  it('lists every ticket, most recently opened first, with its summary', async () => {
    const { list, triaged, opened, awaiting, closed } = await fourTickets();
    const page = list.query({}, NOW);
    expect(ids(page.items)).toEqual([closed, awaiting, opened, triaged]);
    expect(page.nextCursor).toBeUndefined();
    expect(page.items[3]).toEqual({
      id: triaged, tenant: 'contoso', state: 'triaged', severity: 'A', category: 'technical', plan: 'enterprise', region: 'US',
      title: 'Sign-in fails', owner: 'sam', escalationLevel: 0, revision: 1, openedAt: iso(T0), lastEventAt: iso(T0), breached: false,
    });
    expect(page.items[0]).toMatchObject({ state: 'closed', closedAt: iso(T0 + 3 * MINUTE), revision: 1 });
    expect(page.items[0]?.owner).toBeUndefined();
    expect(list.count()).toBe(4);
  });

  it('filters by state, severity, tenant and owner, alone and combined', async () => {
    const { list, triaged, opened, awaiting, closed } = await fourTickets();
    const listed = (query: TicketQuery) => ids(list.query(query, NOW).items);
    expect(listed({ state: 'triaged' })).toEqual([triaged]);
    expect(listed({ state: 'awaitingCustomer' })).toEqual([awaiting]);
    expect(listed({ severity: 'A' })).toEqual([closed, triaged]);
    expect(listed({ tenant: 'contoso' })).toEqual([awaiting, triaged]);
    expect(listed({ owner: 'kim' })).toEqual([awaiting]);
    expect(listed({ tenant: 'contoso', severity: 'B' })).toEqual([awaiting]);
    expect(listed({ tenant: 'fabrikam', state: 'opened', severity: 'B' })).toEqual([opened]);
    expect(listed({ tenant: 'fabrikam', owner: 'sam' })).toEqual([]);
    expect(listed({ state: 'resolved' })).toEqual([]);
  });

  it('never lets the tenant filter widen the tenants a caller may see', async () => {
    const { list, triaged, awaiting } = await fourTickets();
    const listed = (query: TicketQuery) => ids(list.query(query, NOW).items);
    expect(listed({ tenants: ['contoso'] })).toEqual([awaiting, triaged]);
    expect(listed({ tenants: ['contoso'], tenant: 'fabrikam' })).toEqual([]);
    expect(listed({ tenants: ['contoso', 'northwind'], tenant: 'contoso', severity: 'A' })).toEqual([triaged]);
    expect(listed({ tenants: [] })).toEqual([]);
    expect(listed({ tenants: [], tenant: 'contoso' })).toEqual([]);
  });

  it('refuses a malformed query with a RangeError naming the problem', async () => {
    const { list } = await fourTickets();
    expect(() => list.query({ state: 'pending' as never }, NOW)).toThrow(/state must be one of opened, triaged/);
    expect(() => list.query({ severity: 'D' as never }, NOW)).toThrow(/severity must be one of A, B, C/);
    expect(() => list.query({ breached: 'yes' as never }, NOW)).toThrow(/breached must be true or false/);
    expect(() => list.query({ tenants: 'contoso' as never }, NOW)).toThrow(/tenants must be a list/);
    expect(() => list.query({}, new Date(Number.NaN))).toThrow(/now must be a valid instant/);
  });
});

describe('TicketList: pages', () => {
  it('serves 50 rows by default and at most 500, and refuses other limits', async () => {
    const w = world();
    const list = await w.started();
    for (let i = 0; i < 52; i++) await w.open({ at: T0 + i * MINUTE });
    await list.caughtUpTo((await w.log()).at(-1)?.position ?? '');
    const first = list.query({}, NOW);
    expect(first.items).toHaveLength(50);
    expect(first.nextCursor).toBeDefined();
    expect(list.query({ limit: 500 }, NOW).items).toHaveLength(52);
    expect(list.query({ limit: 500 }, NOW).nextCursor).toBeUndefined();
    for (const limit of [0, -1, 501, 2.5, Number.NaN]) expect(() => list.query({ limit }, NOW)).toThrow(RangeError);
    expect(() => list.query({ limit: 501 }, NOW)).toThrow('limit must be an integer from 1 to 500; got 501');
  });

  it('walks every row exactly once with small pages while tickets keep arriving, ties broken by id', async () => {
    const w = world();
    const list = await w.started();
    const before: string[] = [];
    // Three tickets per instant, so page boundaries fall inside runs of equal openedAt.
    for (let i = 0; i < 21; i++) before.push(await w.open({ at: T0 + Math.floor(i / 3) * MINUTE }));
    await list.caughtUpTo(await w.positionOf(before.at(-1) ?? ''));

    let arrivals = 0;
    const arrive = async () => {
      arrivals += 1;
      // A new ticket, and one back-dated into the stretch already walked.
      const recent = await w.open({ at: T0 + (100 + arrivals) * MINUTE });
      const backDated = await w.open({ at: T0 + 3 * MINUTE + arrivals });
      await list.caughtUpTo(await w.positionOf(recent));
      await list.caughtUpTo(await w.positionOf(backDated));
    };
    const seen = await walk(list, { limit: 4 }, arrive);

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(before));
    expect(arrivals).toBeGreaterThanOrEqual(6);
    // Equal openedAt: the larger id first.
    const sameInstant = before.slice(0, 3).sort().reverse();
    expect(seen.filter((id) => sameInstant.includes(id))).toEqual(sameInstant);
  });

  it('walks a filtered listing page by page', async () => {
    const w = world();
    const list = await w.started();
    const contoso: string[] = [];
    for (let i = 0; i < 9; i++) {
      const tenant = i % 3 === 0 ? 'fabrikam' : 'contoso';
      const ticketId = await w.open({ tenant, at: T0 + i * MINUTE });
      if (tenant === 'contoso') contoso.push(ticketId);
    }
    await list.caughtUpTo((await w.log()).at(-1)?.position ?? '');
    expect(await walk(list, { tenant: 'contoso', limit: 2 })).toEqual(contoso.reverse());
  });

  it('refuses a cursor it did not issue, or one issued for other filters', async () => {
    const w = world();
    const list = await w.started();
    for (let i = 0; i < 3; i++) await w.open({ at: T0 + i * MINUTE });
    await list.caughtUpTo((await w.log()).at(-1)?.position ?? '');
    const { nextCursor } = list.query({ tenant: 'contoso', limit: 1 }, NOW);
    if (nextCursor === undefined) throw new Error('expected a second page');

    expect(list.query({ tenant: 'contoso', limit: 2, cursor: nextCursor }, NOW).items).toHaveLength(2);
    expect(() => list.query({ tenant: 'fabrikam', limit: 1, cursor: nextCursor }, NOW)).toThrow(InvalidCursorError);
    expect(() => list.query({ limit: 1, cursor: nextCursor }, NOW)).toThrow('the cursor belongs to a listing with other filters');
    expect(() => list.query({ tenant: 'contoso', tenants: ['contoso'], cursor: nextCursor }, NOW)).toThrow(InvalidCursorError);
    expect(() => list.query({ cursor: 'not-a-cursor' }, NOW)).toThrow(InvalidCursorError);
    const forged = Buffer.from(JSON.stringify({ f: 'x', o: 'yesterday', i: 1 })).toString('base64url');
    expect(() => list.query({ cursor: forged }, NOW)).toThrow('the cursor is not one this list issued');
    expect(() => list.query({ cursor: Buffer.from('null').toString('base64url') }, NOW)).toThrow(InvalidCursorError);
  });
});

describe('TicketList: breaches', () => {
  const breached = (list: TicketList, at: number) => ids(list.query({ breached: true }, new Date(at)).items);
  const onTime = (list: TicketList, at: number) => ids(list.query({ breached: false }, new Date(at)).items);

  it('given a severity A ticket (1 h on the wall clock), it is breached from the hour on', async () => {
    const w = world();
    const list = await w.started();
    const ticketId = await w.open({ severity: 'A', at: T0 });
    await list.caughtUpTo(await w.positionOf(ticketId));

    expect(list.query({}, new Date(T0)).items[0]).toMatchObject({ breachAt: iso(T0 + HOUR), breached: false });
    expect(breached(list, T0 + HOUR - 1)).toEqual([]);
    expect(onTime(list, T0 + HOUR - 1)).toEqual([ticketId]);
    expect(breached(list, T0 + HOUR)).toEqual([ticketId]);
    expect(onTime(list, T0 + HOUR)).toEqual([]);

    // Triaged late: the first response was breached, and stays so.
    await w.command({ type: 'triage', ticketId, actor: agent }, T0 + 2 * HOUR);
    await list.caughtUpTo(await w.positionOf(ticketId));
    expect(breached(list, T0 + 2 * HOUR)).toEqual([ticketId]);
    expect(list.query({}, new Date(T0 + 2 * HOUR)).items[0]).toMatchObject({ state: 'triaged', breachAt: iso(T0 + HOUR) });
  });

  it('given a severity A ticket triaged within the hour, no clock can breach', async () => {
    const w = world();
    const list = await w.started();
    const ticketId = await w.open({ severity: 'A', at: T0 });
    await w.command({ type: 'triage', ticketId, actor: agent }, T0 + 30 * MINUTE);
    await list.caughtUpTo(await w.positionOf(ticketId));

    expect(list.query({}, new Date(T0 + 5 * HOUR)).items[0]?.breachAt).toBeUndefined();
    expect(breached(list, T0 + 5 * HOUR)).toEqual([]);
    expect(onTime(list, T0 + 5 * HOUR)).toEqual([ticketId]);
  });

  it('given an 8 h resolution clock, waiting for the customer pauses it and the reply resumes it', async () => {
    const w = world(resolutionPolicy);
    const list = await w.started();
    const ticketId = await w.open({ severity: 'A', at: T0 });
    const breachAt = async () => {
      await list.caughtUpTo(await w.positionOf(ticketId));
      return list.query({}, new Date(w.now)).items[0]?.breachAt;
    };
    expect(await breachAt()).toBe(iso(T0 + HOUR));

    await w.command({ type: 'triage', ticketId, actor: agent }, T0 + 30 * MINUTE);
    expect(await breachAt()).toBe(iso(T0 + 8 * HOUR));

    await w.command({ type: 'request-info', ticketId, actor: agent }, T0 + 2 * HOUR);
    expect(await breachAt()).toBeUndefined();
    expect(breached(list, T0 + 20 * HOUR)).toEqual([]);

    // Two of its eight hours used: six more from the reply.
    await w.command({ type: 'customer-reply', ticketId, actor: adminOf('contoso') }, T0 + 10 * HOUR);
    expect(await breachAt()).toBe(iso(T0 + 16 * HOUR));
    expect(breached(list, T0 + 16 * HOUR - 1)).toEqual([]);
    expect(breached(list, T0 + 16 * HOUR)).toEqual([ticketId]);
  });

  it('lists a ticket whose clocks its policy cannot compute, without breachAt, and says why', async () => {
    const w = world();
    const errors: Error[] = [];
    // The 21Vianet targets count on a calendar this copy of the policy lacks.
    const list = await w.started({ policies: [{ ...defaultPolicy, calendars: {} }], onError: (error) => errors.push(error) });
    const ticketId = await w.open({ plan: '21vianet', severity: 'B', at: T0 });
    await list.caughtUpTo(await w.positionOf(ticketId));

    expect(list.query({}, NOW).items).toEqual([expect.objectContaining({ id: ticketId, state: 'opened', breached: false })]);
    expect(list.query({}, NOW).items[0]?.breachAt).toBeUndefined();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(`no SLA clocks for ticket ${ticketId}: .*no calendar 21vianet`)]);
  });
});

describe('TicketList: following the store', () => {
  it('catches up from its checkpoint after a restart, and applying a batch again changes nothing', async () => {
    const w = world();
    const first = await w.started();
    const a = await w.open({ at: T0 });
    const b = await w.open({ at: T0 + MINUTE });
    await first.caughtUpTo(await w.positionOf(b));
    await expect(first.start()).rejects.toThrow('a TicketList is started once');
    await first.stop();
    await expect(first.start()).rejects.toThrow('a TicketList is started once');

    await w.command({ type: 'triage', ticketId: a, actor: agent, owner: 'sam' }, T0 + 2 * MINUTE);
    const c = await w.open({ at: T0 + 3 * MINUTE });
    const log = await w.log();

    const second = w.list();
    expect(second.checkpoint()).toBe(log[1]?.position);
    expect(second.count()).toBe(2);
    await second.start();
    expect(second.checkpoint()).toBe(log.at(-1)?.position);
    const rows = second.query({}, NOW).items;
    expect(ids(rows)).toEqual([c, b, a]);
    expect(rows[2]).toMatchObject({ state: 'triaged', owner: 'sam', revision: 1 });

    await second.apply(log);
    await second.apply(log.slice(1, 3));
    await second.apply(log);
    expect(second.query({}, NOW).items).toEqual(rows);
    expect(second.count()).toBe(3);
    expect(second.checkpoint()).toBe(log.at(-1)?.position);
  });

  it('resolves caughtUpTo once the command the engine appended is applied, and rejects on timeout', async () => {
    const w = world();
    const list = await w.started();
    const ticketId = await w.open({ at: T0 });
    const opened = await w.positionOf(ticketId);
    await w.command({ type: 'triage', ticketId, actor: agent, owner: 'kim' }, T0 + MINUTE);
    const triaged = await w.positionOf(ticketId);

    await list.caughtUpTo(triaged);
    expect(list.query({ owner: 'kim' }, NOW).items).toEqual([expect.objectContaining({ id: ticketId, state: 'triaged' })]);
    // A position already behind the list resolves at once.
    await expect(list.caughtUpTo(opened, 1_000)).resolves.toBeUndefined();

    const idle = w.list();
    await w.command({ type: 'note', ticketId, actor: agent, text: 'Looking' }, T0 + 2 * MINUTE);
    await expect(idle.caughtUpTo(await w.positionOf(ticketId), 50)).rejects.toThrow(/did not reach position \d+ within 50 ms/);
  });

  it('rejects a pending caughtUpTo when the list stops', async () => {
    const w = world();
    const idle = w.list();
    const ticketId = await w.open({ at: T0 });
    const waiting = idle.caughtUpTo(await w.positionOf(ticketId), 10_000);
    await idle.stop();
    await expect(waiting).rejects.toThrow('the ticket list stopped');
  });

  it('shows a second list on the same file the same rows', async () => {
    const w = world();
    const first = await w.started();
    for (let i = 0; i < 3; i++) await w.open({ tenant: i === 1 ? 'fabrikam' : 'contoso', at: T0 + i * MINUTE });
    await first.caughtUpTo((await w.log()).at(-1)?.position ?? '');

    const second = w.list();
    expect(second.query({}, NOW)).toEqual(first.query({}, NOW));
    await second.start();
    const ticketId = await w.open({ at: T0 + 5 * MINUTE });
    await second.caughtUpTo(await w.positionOf(ticketId));
    await first.caughtUpTo(await w.positionOf(ticketId));
    expect(second.query({}, NOW)).toEqual(first.query({}, NOW));
    expect(first.count()).toBe(4);
  });

  it('reports an event it cannot decode, skips it, and keeps following', async () => {
    const w = world();
    const errors: Error[] = [];
    const list = await w.started({ onError: (error) => errors.push(error) });
    const damaged = await w.open({ at: T0 });
    const eventId = randomUUID();
    await w.store.appendToStream(streamOf(damaged), [{ id: eventId, type: 'TicketTeleported', data: {}, metadata: { version: 1, ticketId: damaged } }], 0n);
    const later = await w.open({ at: T0 + MINUTE });
    await list.caughtUpTo(await w.positionOf(later));
    await w.command({ type: 'triage', ticketId: later, actor: agent }, T0 + 2 * MINUTE);
    await list.caughtUpTo(await w.positionOf(later));

    expect(errors.map((e) => e.message)).toEqual([`ticket list: skipped TicketTeleported ${eventId} at ${streamOf(damaged)}@1: unknown event type TicketTeleported`]);
    expect(list.query({}, NOW).items).toEqual([
      expect.objectContaining({ id: later, state: 'triaged', revision: 1 }),
      expect.objectContaining({ id: damaged, state: 'opened', revision: 0 }),
    ]);
    expect(list.checkpoint()).toBe(await w.positionOf(later));
  });

  it('reports a subscription that ends under it, and still stops while it waits to subscribe again', async () => {
    const w = world();
    const errors: Error[] = [];
    const list = await w.started({ onError: (error) => errors.push(error) });
    await w.store.close();
    await waitFor(() => errors.length > 0, 'a report');
    expect(errors.map((e) => e.message)).toEqual(['ticket list: the event store subscription ended; subscribing again']);
    await list.stop();
  });

  it('ignores streams that are not tickets', async () => {
    const w = world();
    const list = await w.started();
    await w.store.appendToStream('relay-checkpoints', [{ id: randomUUID(), type: 'Checkpointed', data: {} }], 'any');
    const ticketId = await w.open({ at: T0 });
    await list.caughtUpTo(await w.positionOf(ticketId));
    expect(ids(list.query({}, NOW).items)).toEqual([ticketId]);
  });
});

describe('TicketList: generations', () => {
  it('builds a fresh generation beside the live one, and new lists open it once it is made live', async () => {
    const w = world();
    const live = await w.started();
    for (let i = 0; i < 5; i++) await w.open({ at: T0 + i * MINUTE });
    const log = await w.log();
    await live.caughtUpTo(log.at(-1)?.position ?? '');
    expect(live.generation).toBe(1);

    const rebuilt = w.list({ generation: 2 });
    expect(rebuilt.count()).toBe(0);
    expect(rebuilt.checkpoint()).toBeUndefined();
    await rebuilt.apply(log.slice(0, 2));
    await rebuilt.apply(log.slice(2));
    expect(rebuilt.query({}, NOW)).toEqual(live.query({}, NOW));
    expect(w.list().generation).toBe(1);

    rebuilt.makeLive();
    const reopened = w.list();
    expect(reopened.generation).toBe(2);
    expect(reopened.checkpoint()).toBe(log.at(-1)?.position);
    expect(() => w.list({ generation: 0 })).toThrow('a ticket list generation is a positive integer; got 0');
  });
});
