import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import type { Actor, CommandInput } from '@caseflow/domain';
import { readTicketStreams, streamOf, ticketStreamsAfter } from '@caseflow/engine';
import type { EventStore, Position, RecordedEvent } from '@caseflow/eventstore';
import type { SqliteDatabase } from '@caseflow/sqlite';
import { openSqliteFile } from '@caseflow/sqlite';
import type { RebuildOptions, RebuildProgress, TicketList } from '../src/index.js';
import { rebuildTicketList } from '../src/index.js';
import { workerScript } from '../src/partitions.js';
import type { OpenTicket } from './world.js';
import { HOUR, MINUTE, T0, World, adminOf, agent, everyPage, resolutionPolicy, scratchDirectory, supervisor, throughPort } from './world.js';

const scratch = scratchDirectory();
afterAll(() => scratch.remove());
const worlds: World[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

/** A world on the resolution policy, so that report facts hold a clock that pauses and resumes. */
function world(): World {
  const w = new World(scratch.file(), resolutionPolicy);
  worlds.push(w);
  return w;
}

const DAY = 24 * 60;
/** After every command of the tests: some clocks have breached by then, some never will. */
const NOW = new Date(T0 + 3 * DAY * MINUTE);
/** Rebuilds fold tickets in id order: these two come before and after every random UUID. */
const FOLDED_FIRST = '0-folded-first';
const FOLDED_LAST = 'z-folded-last';

type Command = { type: CommandInput['type']; actor: Actor } & Record<string, unknown>;
interface TicketPath {
  open: OpenTicket;
  /** Minutes after T0. */
  at: number;
  then: [minute: number, command: Command][];
}

const triage: Command = { type: 'triage', actor: agent };
const requestInfo: Command = { type: 'request-info', actor: agent, text: 'A message trace, please' };
const resolve: Command = { type: 'resolve', actor: agent, text: 'Fixed' };
const replyFrom = (tenant: string): Command => ({ type: 'customer-reply', actor: adminOf(tenant), text: 'Here it is' });
const reopenBy = (tenant: string): Command => ({ type: 'reopen', actor: adminOf(tenant) });
const closeBy = (tenant: string, reason: string): Command => ({ type: 'close', actor: adminOf(tenant), reason });
const escalate = (level: number): Command => ({ type: 'escalate', actor: agent, level });

/** Nine tickets across tenants, plans and severities, each down its own path of the lifecycle. */
const MIXED: TicketPath[] = [
  {
    open: { tenant: 'contoso', plan: 'enterprise', severity: 'A', title: 'Sign-in fails' },
    at: 0,
    then: [[20, { ...triage, owner: 'sam' }], [60, requestInfo], [180, replyFrom('contoso')], [240, resolve], [300, closeBy('contoso', 'confirmed')]],
  },
  {
    open: { tenant: 'fabrikam', plan: 'business', severity: 'B', title: 'Quota warnings' },
    at: 5,
    then: [[30, triage], [90, requestInfo], [1500, { type: 'downgrade', actor: agent, reason: 'no reply' }], [1600, replyFrom('fabrikam')], [1700, resolve]],
  },
  { open: { tenant: 'northwind', plan: 'frontline', severity: 'C', title: 'Asked twice' }, at: 10, then: [[45, closeBy('northwind', 'duplicate')]] },
  {
    open: { tenant: 'contoso', plan: 'elevated', severity: 'A', title: 'Outage' },
    at: 15,
    then: [[25, triage], [70, escalate(1)], [130, escalate(2)], [140, { type: 'assign', actor: supervisor, owner: 'kim' }]],
  },
  {
    open: { tenant: 'fabrikam', plan: '21vianet', severity: 'B', title: 'Slow sync' },
    at: 20,
    then: [[50, triage], [200, resolve], [260, closeBy('fabrikam', 'confirmed')], [400, reopenBy('fabrikam')], [420, triage]],
  },
  { open: { tenant: 'northwind', plan: 'enterprise', severity: 'C', title: 'Nobody looked' }, at: 25, then: [] },
  {
    open: { tenant: 'contoso', plan: 'business', severity: 'A', title: 'Came back' },
    at: 30,
    then: [[65, triage], [100, { type: 'note', actor: agent, text: 'Looking' }], [500, resolve], [520, reopenBy('contoso')], [530, triage], [600, requestInfo]],
  },
  { open: { tenant: 'fabrikam', plan: 'frontline', severity: 'B', title: 'Worse than it looked' }, at: 35, then: [[80, { ...triage, severity: 'A' }], [150, escalate(1)]] },
  { open: { tenant: 'northwind', plan: 'elevated', severity: 'C', title: 'Waiting on us' }, at: 40, then: [[95, triage], [110, requestInfo], [2000, replyFrom('northwind')]] },
];

/** Sends the paths' commands in time order, as a real log interleaves tickets; the ticket ids, in MIXED's order. */
async function mixedHistory(w: World): Promise<string[]> {
  const ids: string[] = [];
  const steps = MIXED.flatMap(({ open, at, then }, ticket) => [
    {
      minute: at,
      send: async () => {
        ids[ticket] = await w.open({ ...open, at: T0 + at * MINUTE });
      },
    },
    ...then.map(([minute, command]) => ({
      minute,
      send: async () => {
        await w.command({ ...command, ticketId: ids[ticket] ?? '' }, T0 + minute * MINUTE);
      },
    })),
  ]);
  for (const step of steps.sort((a, b) => a.minute - b.minute)) await step.send();
  return ids;
}

/** What a list serves: every page of the whole list and of a filtered one, and the report facts. */
function served(list: TicketList) {
  return {
    pages: everyPage(list, { limit: 4 }, NOW),
    breached: everyPage(list, { breached: true, limit: 2 }, NOW),
    facts: [...list.facts()],
  };
}

async function endOfLog(w: World): Promise<Position> {
  return (await w.log()).at(-1)?.position ?? '';
}

async function caughtUp(w: World, list: TicketList): Promise<void> {
  await list.caughtUpTo(await endOfLog(w));
}

/** A world whose live list has caught up with the mixed history; the ticket ids, in MIXED's order. */
async function liveOverMixedHistory() {
  const w = world();
  const live = await w.started();
  const tickets = await mixedHistory(w);
  await caughtUp(w, live);
  return { w, live, tickets };
}

function rebuild(w: World, options: Partial<RebuildOptions> = {}) {
  return rebuildTicketList({ file: w.file, store: w.store, policies: [w.policy], ...options });
}

/** A rebuild that is told to stop at its first checkpoint, ten events in. */
function rebuildStoppedAtFirstCheckpoint(w: World) {
  const stop = new AbortController();
  return rebuild(w, { threads: 0, checkpointEvents: 10, signal: stop.signal, onProgress: () => stop.abort() });
}

/** How many events these tickets' streams hold. */
async function eventsOf(w: World, ticketIds: readonly string[]): Promise<number> {
  const streams = await Promise.all(ticketIds.map((id) => w.store.readStream(streamOf(id))));
  return streams.reduce((sum, records) => sum + records.length, 0);
}

/** A connection of the test's own, for what no API shows: the catalogue, the tables, and damage. */
function withDatabase<T>(file: string, use: (db: SqliteDatabase) => T): T {
  const { db } = openSqliteFile(file);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** Whether a generation's tickets and facts tables refuse a second row for an id. */
function uniquelyKeyed(file: string, generation: number) {
  return withDatabase(file, (db) => {
    const keyed = (part: string) =>
      db
        .prepare<[], { name: string; unique: number }>(`SELECT name, "unique" FROM pragma_index_list('ticket_list_${generation}_${part}')`)
        .all()
        .some(({ name, unique }) => unique === 1 && db.prepare<[], { name: string }>(`SELECT name FROM pragma_index_info('${name}')`).all().map((c) => c.name).join() === 'id');
    return { tickets: keyed('tickets'), facts: keyed('facts') };
  });
}

/** The generations the file's catalogue holds, and the ticket list's tables and indexes. */
function catalogueOf(file: string) {
  return withDatabase(file, (db) => ({
    generations: db
      .prepare<[], { generation: number; live: number; checkpoint: string | null; rebuild: string | null }>(
        'SELECT generation, live, checkpoint, rebuild FROM ticket_list_generations ORDER BY generation',
      )
      .all(),
    objects: db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE name LIKE 'ticket_list%' ORDER BY name")
      .all()
      .map(({ name }) => name),
  }));
}

describe('rebuildTicketList: a full rebuild', () => {
  it('given a live list over a mixed log, builds a new live generation serving exactly what the live list serves', async () => {
    const { w, live, tickets } = await liveOverMixedHistory();
    const log = await w.log();
    const reports: RebuildProgress[] = [];

    const result = await rebuild(w, { onProgress: (progress) => reports.push(progress) });

    expect(result).toEqual({ generation: 2, replaced: 1, resumed: false, interrupted: false, events: log.length, totalEvents: log.length, tickets: tickets.length });
    expect(reports.at(-1)).toEqual({ generation: 2, events: log.length, totalEvents: log.length, tickets: tickets.length });
    const rebuilt = w.list();
    expect(rebuilt.generation).toBe(2);
    expect(rebuilt.checkpoint()).toBe(log.at(-1)?.position);
    expect(served(rebuilt)).toEqual(served(live));
    expect(live.generation).toBe(1);
    // What was compared is the mix it was meant to be.
    const rows = served(live).pages.flatMap((page) => page.items);
    expect(new Set(rows.map((row) => row.state))).toEqual(new Set(['opened', 'triaged', 'awaitingCustomer', 'resolved', 'closed']));
    expect(new Set(rows.map((row) => row.plan))).toEqual(new Set(['enterprise', 'business', 'frontline', 'elevated', '21vianet']));
    expect(served(live).facts.map((facts) => facts.ticketId)).toEqual([...tickets].sort());
    expect(served(live).breached[0]?.items.length).toBeGreaterThan(0);
    // The indexes a rebuild defers are there once it is live.
    const { objects } = catalogueOf(w.file);
    const indexesOf = (generation: number) =>
      objects.filter((name) => name.startsWith(`ticket_list_${generation}_tickets_by`)).map((name) => name.replace(`_${generation}_`, '_N_'));
    expect(indexesOf(2)).toEqual(indexesOf(1));
    expect(indexesOf(2)).toHaveLength(5);
    // Its rows were written without keys; the ids are unique once it is live, as the live list's upserts need.
    expect(uniquelyKeyed(w.file, 2)).toEqual({ tickets: true, facts: true });
    expect(uniquelyKeyed(w.file, 1)).toEqual({ tickets: true, facts: true });
  });

  it('given a log that holds streams other than tickets\', counts only ticket events, so that progress ends at its total', async () => {
    const { w, tickets } = await liveOverMixedHistory();
    await w.store.appendToStream('relay-checkpoints', [{ id: randomUUID(), type: 'Checkpointed', data: {} }], 'any');
    const ticketEvents = (await w.log()).filter((record) => record.stream.startsWith('ticket-')).length;
    const reports: RebuildProgress[] = [];

    const result = await rebuild(w, { onProgress: (progress) => reports.push(progress) });

    expect(result).toMatchObject({ events: ticketEvents, totalEvents: ticketEvents, tickets: tickets.length });
    expect(reports.at(-1)).toMatchObject({ events: ticketEvents, totalEvents: ticketEvents });
    expect((await w.log()).length).toBe(ticketEvents + 1);
  });

  it('keeps the live list serving and following generation 1 while it folds, and brings what was appended meanwhile into the new generation', async () => {
    const w = world();
    const live = await w.started();
    await w.open({ ticketId: FOLDED_FIRST, at: T0 });
    const tickets = [FOLDED_FIRST, ...(await mixedHistory(w)), await w.open({ ticketId: FOLDED_LAST, at: T0 + 50 * MINUTE })];
    const logBefore = await w.log();
    await caughtUp(w, live);
    const before = served(live);

    // The rebuild reads through the port, so the test can hold its read of the log while it appends.
    let appended: Promise<void> | undefined;
    let servedWhileFolding: ReturnType<typeof served> | undefined;
    let followedWhileFolding: ReturnType<typeof served> | undefined;
    let arrived = '';
    const appendWhileFolding = async () => {
      // FOLDED_FIRST and FOLDED_LAST are being folded; the new ticket was not in the log at the start.
      await w.command({ ...triage, ticketId: FOLDED_FIRST, owner: 'kim' }, T0 + DAY * MINUTE);
      await w.command({ ...triage, ticketId: FOLDED_LAST, owner: 'sam' }, T0 + DAY * MINUTE);
      arrived = await w.open({ tenant: 'fabrikam', at: T0 + DAY * MINUTE });
      await caughtUp(w, live);
      followedWhileFolding = served(live);
    };
    const port = throughPort(w.store);
    const store: EventStore = {
      ...port,
      async *readAll(fromPosition) {
        for await (const record of port.readAll(fromPosition)) {
          await appended;
          yield record;
        }
      },
    };

    const result = await rebuild(w, {
      store,
      checkpointEvents: 5,
      onProgress: () => {
        if (appended !== undefined) return;
        servedWhileFolding = served(live);
        appended = appendWhileFolding();
      },
    });

    expect(servedWhileFolding).toEqual(before);
    const rowsFollowed = followedWhileFolding?.pages.flatMap((page) => page.items) ?? [];
    expect(rowsFollowed.map((row) => row.id)).toContain(arrived);
    expect(rowsFollowed.find((row) => row.id === FOLDED_FIRST)).toMatchObject({ state: 'triaged', owner: 'kim' });
    // The fold stops where the log ended when the rebuild began; what came after, it brings by catching up. A port cannot count the log.
    expect(result).toEqual({ generation: 2, replaced: 1, resumed: false, interrupted: false, events: logBefore.length, totalEvents: undefined, tickets: tickets.length });
    expect(live.generation).toBe(1);
    await caughtUp(w, live);
    const rebuilt = await w.started();
    expect(rebuilt.generation).toBe(2);
    expect(rebuilt.query({ owner: 'kim' }, NOW).items.map((row) => row.id)).toContain(FOLDED_FIRST);
    expect(rebuilt.count()).toBe(tickets.length + 1);
    expect(served(rebuilt)).toEqual(served(live));

    // After the swap the live list still follows generation 1, as does a list that opened generation 2.
    await w.command({ ...escalate(1), ticketId: arrived }, T0 + 2 * DAY * MINUTE);
    await caughtUp(w, live);
    await caughtUp(w, rebuilt);
    expect(live.query({ tenant: 'fabrikam', limit: 1 }, NOW).items[0]).toMatchObject({ id: arrived, escalationLevel: 1 });
    expect(served(rebuilt)).toEqual(served(live));
  });
});

describe('rebuildTicketList: folding in log order', () => {
  it('folds the same rows in worker threads as in this one and through the port, however few tickets it may hold in memory', async () => {
    const { w, live } = await liveOverMixedHistory();
    const expected = served(live);
    // The tests run from sources; the threads run the package's build, which the test command makes first.
    expect(workerScript()).toBeDefined();

    for (const options of [
      { threads: 2 },
      { threads: 0 },
      { threads: 0, maxTickets: 1 },
      { threads: 3, maxTickets: 2, checkpointEvents: 3 },
      { store: throughPort(w.store), maxTickets: 1 },
    ]) {
      const result = await rebuild(w, options);
      expect(result).toMatchObject({ interrupted: false, events: (await w.log()).length, tickets: MIXED.length });
      expect(served(w.list())).toEqual(expected);
    }
  });

  it('given events it cannot decode, reports each as the live list does, skips it and folds the rest, in threads, here and through the port', async () => {
    const w = world();
    const liveErrors: Error[] = [];
    const live = await w.started({ onError: (error) => liveErrors.push(error) });
    const tickets = await mixedHistory(w);
    const [damaged, tooNew] = [tickets[0] ?? '', tickets[5] ?? ''];
    const unknownType = randomUUID();
    const unknownVersion = randomUUID();
    await w.store.appendToStream(streamOf(damaged), [{ id: unknownType, type: 'TicketTeleported', data: {}, metadata: { version: 1, ticketId: damaged } }], 'any');
    await w.store.appendToStream(streamOf(tooNew), [{ id: unknownVersion, type: 'NoteAdded', data: { text: 'x' }, metadata: { version: 99, ticketId: tooNew } }], 'any');
    await caughtUp(w, live);
    const expected = served(live);
    const skips = liveErrors.map((error) => error.message);
    expect(skips).toEqual([
      expect.stringMatching(new RegExp(`^ticket list: skipped TicketTeleported ${unknownType} at ${streamOf(damaged)}@\\d+: unknown event type`)),
      expect.stringMatching(new RegExp(`^ticket list: skipped NoteAdded ${unknownVersion} at ${streamOf(tooNew)}@\\d+: NoteAdded has version 99`)),
    ]);

    for (const options of [{ threads: 2 }, { threads: 0 }, { store: throughPort(w.store) }]) {
      const errors: Error[] = [];
      const result = await rebuild(w, { ...options, onError: (error) => errors.push(error) });
      expect(result).toMatchObject({ interrupted: false, events: (await w.log()).length, tickets: MIXED.length });
      // Sorted: threads report as they come to them.
      expect(errors.map((error) => error.message).sort()).toEqual([...skips].sort());
      expect(served(w.list())).toEqual(expected);
    }
  });

  it('given a rebuilt row, reads the ticket\'s stream the first time an event comes for it, and applies it as the live list does', async () => {
    const { w, live, tickets } = await liveOverMixedHistory();
    await rebuild(w);
    const rebuilt = await w.started();
    const historiesOf = (generation: number) =>
      withDatabase(w.file, (db) => db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ticket_list_${generation}_histories`).get()?.n);
    expect(historiesOf(2)).toBe(0);

    // The ticket nobody looked at, and the outage escalated twice.
    await w.command({ ...triage, ticketId: tickets[5] ?? '', owner: 'lee' }, T0 + DAY * MINUTE);
    await w.command({ ...escalate(3), ticketId: tickets[3] ?? '' }, T0 + DAY * MINUTE);
    await caughtUp(w, live);
    await caughtUp(w, rebuilt);

    expect(rebuilt.query({ owner: 'lee' }, NOW).items.map((row) => row.id)).toEqual([tickets[5]]);
    expect(served(rebuilt)).toEqual(served(live));
    expect(historiesOf(2)).toBe(2);
  });
});

describe('rebuildTicketList: interrupted and resumed', () => {
  it('stops between batches when told, leaves generation 1 live, and the next run resumes from the checkpoint', async () => {
    const w = world();
    const live = await w.started();
    const tickets = await mixedHistory(w);
    const logBefore = await w.log();
    await caughtUp(w, live);

    const first = await rebuildStoppedAtFirstCheckpoint(w);

    expect(first).toMatchObject({ generation: 2, replaced: 1, resumed: false, interrupted: true, totalEvents: logBefore.length });
    expect(first.events).toBe(10);
    expect(w.list().generation).toBe(1);
    const saved = catalogueOf(w.file).generations;
    expect(saved).toEqual([
      expect.objectContaining({ generation: 1, live: 1 }),
      expect.objectContaining({ generation: 2, live: 0, rebuild: expect.any(String) }),
    ]);
    const checkpointed = (JSON.parse(saved[1]?.rebuild ?? '{}') as { partitions: { after: string; events: number }[] }).partitions;
    expect(checkpointed).toEqual([expect.objectContaining({ after: logBefore[first.events - 1]?.position, events: first.events })]);

    // Between the runs: an event for a ticket opened before the checkpoint (the one nobody looked at), and a new ticket.
    await w.command({ ...triage, ticketId: tickets[5] ?? '', owner: 'sam' }, T0 + DAY * MINUTE);
    await w.open({ ticketId: FOLDED_LAST, at: T0 + DAY * MINUTE });
    const second = await rebuild(w, { threads: 0, checkpointEvents: 10 });

    // The fold goes on from the checkpoint to where the log ended when the first run began; the rest comes by catching up.
    expect(second).toEqual({ generation: 2, replaced: 1, resumed: true, interrupted: false, tickets: tickets.length, events: logBefore.length, totalEvents: logBefore.length });
    await caughtUp(w, live);
    const resumed = w.list();
    expect(resumed.generation).toBe(2);
    expect(served(resumed)).toEqual(served(live));

    const clean = await rebuild(w);
    expect(clean).toMatchObject({ generation: 3, replaced: 2, resumed: false, interrupted: false });
    expect(served(w.list())).toEqual(served(resumed));
  });

  it('resumes a run that failed after folding every ticket, without folding them again', async () => {
    const w = world();
    const tickets = await mixedHistory(w);
    const log = await w.log();
    const reference = await w.started();
    await caughtUp(w, reference);
    const expected = served(reference);
    await reference.stop();

    // The store becomes unreachable once the last batch is folded, so catching up the new generation fails.
    let reachable = true;
    const port = throughPort(w.store);
    const failing: EventStore = {
      ...port,
      readAll: (fromPosition) => {
        if (!reachable) throw new Error('the event store is unreachable');
        return port.readAll(fromPosition);
      },
    };
    const cutOff = () => {
      reachable = false;
    };
    await expect(rebuild(w, { store: failing, batchSize: tickets.length, onProgress: cutOff })).rejects.toThrow('the event store is unreachable');
    expect(w.list().generation).toBe(1);
    const result = await rebuild(w);

    // A port cannot count the log, and the first run's count is the one kept.
    expect(result).toEqual({ generation: 2, replaced: 1, resumed: true, interrupted: false, tickets: tickets.length, events: log.length, totalEvents: undefined });
    const rebuilt = w.list();
    expect(rebuilt.generation).toBe(2);
    expect(served(rebuilt)).toEqual(expected);
    expect(catalogueOf(w.file).generations.map(({ generation }) => generation)).toEqual([1, 2]);
  });

  it('drops an unfinished rebuild begun from another position, and starts over', async () => {
    const { w, live } = await liveOverMixedHistory();
    await rebuildStoppedAtFirstCheckpoint(w);

    const from = (await w.log())[10]?.position;
    const result = await rebuild(w, { from });

    expect(result).toMatchObject({ generation: 3, replaced: 1, resumed: false, interrupted: false });
    const { generations, objects } = catalogueOf(w.file);
    expect(generations).toEqual([expect.objectContaining({ generation: 1, live: 0 }), { generation: 3, live: 1, checkpoint: await endOfLog(w), rebuild: null }]);
    expect(objects.filter((name) => name.startsWith('ticket_list_2_'))).toEqual([]);
    expect(served(w.list())).toEqual(served(live));
  });
});

describe('rebuildTicketList: from a position', () => {
  /** A mixed log, then, after `from`, events for three of its tickets and a new one. */
  async function changedAfter(w: World) {
    const tickets = await mixedHistory(w);
    const from = await endOfLog(w);
    const [, , , escalated, , untouched, , , replied] = tickets;
    if (escalated === undefined || untouched === undefined || replied === undefined) throw new Error('MIXED has nine tickets');
    await w.command({ ...escalate(3), ticketId: escalated }, T0 + 2 * DAY * MINUTE);
    await w.command({ ...triage, ticketId: untouched, owner: 'kim' }, T0 + 2 * DAY * MINUTE);
    await w.command({ ...resolve, ticketId: replied }, T0 + 2 * DAY * MINUTE);
    const opened = await w.open({ tenant: 'northwind', severity: 'A', at: T0 + 2 * DAY * MINUTE });
    return { tickets, from, refolded: [escalated, untouched, replied, opened] };
  }

  it('refolds only the tickets with events after it, copies the rest, and ends where a full rebuild does', async () => {
    const w = world();
    const live = await w.started();
    const { from, refolded } = await changedAfter(w);
    await caughtUp(w, live);

    const result = await rebuild(w, { from });

    // Each of those tickets is folded whole, so its whole stream counts towards the total: progress ends at 100 %.
    const refoldedEvents = await eventsOf(w, refolded);
    expect(result).toEqual({
      generation: 2, replaced: 1, resumed: false, interrupted: false, tickets: refolded.length, events: refoldedEvents, totalEvents: refoldedEvents,
    });
    const partial = w.list();
    expect(partial.generation).toBe(2);
    expect(served(partial)).toEqual(served(live));
    await rebuild(w);
    const full = w.list();
    expect(full.generation).toBe(3);
    expect(served(full)).toEqual(served(partial));
  });

  it('copies the rows of the tickets it does not refold as the live generation holds them', async () => {
    const w = world();
    const live = await w.started();
    const { tickets, from, refolded } = await changedAfter(w);
    await caughtUp(w, live);
    const [copied] = tickets;
    const [refoldedOne] = refolded;
    withDatabase(w.file, (db) => db.prepare("UPDATE ticket_list_1_tickets SET title = 'as the live list had it' WHERE id IN (?, ?)").run(copied, refoldedOne));

    await rebuild(w, { from });

    const titleOf = (id: string | undefined) => w.list().query({ limit: 500 }, NOW).items.find((row) => row.id === id)?.title;
    expect(titleOf(copied)).toBe('as the live list had it');
    expect(titleOf(refoldedOne)).toBe('Outage');
  });

  it('given a live list that stopped before `from`, still ends where a full rebuild does', async () => {
    const { w, live, tickets } = await liveOverMixedHistory();
    await live.stop();
    // The live generation never sees these: a rebuild from `from` must not copy what it has of them.
    const [first, second] = tickets;
    await w.command({ ...reopenBy('contoso'), ticketId: first ?? '' }, T0 + 2 * DAY * MINUTE);
    await w.command({ ...closeBy('fabrikam', 'confirmed'), ticketId: second ?? '' }, T0 + 2 * DAY * MINUTE);
    const from = await endOfLog(w);
    await w.open({ tenant: 'contoso', at: T0 + 2 * DAY * MINUTE + HOUR });

    await rebuild(w, { from });
    const partial = w.list();
    expect(partial.generation).toBe(2);
    await rebuild(w);
    const full = w.list();

    expect(full.query({ state: 'reopened' }, NOW).items.map((row) => row.id)).toEqual([first]);
    expect(served(partial)).toEqual(served(full));
  });
});

describe('TicketList: report facts of a generation that lacks them', () => {
  async function liveFacts() {
    const { w, live } = await liveOverMixedHistory();
    const facts = [...live.facts()];
    await live.stop();
    return { w, facts };
  }

  it('given rows whose facts are gone, gives them back when a list opens the generation', async () => {
    const { w, facts } = await liveFacts();
    withDatabase(w.file, (db) => db.exec('DELETE FROM ticket_list_1_facts'));
    expect(withDatabase(w.file, (db) => db.prepare('SELECT count(*) AS n FROM ticket_list_1_facts').get())).toEqual({ n: 0 });

    const reopened = w.list();

    expect([...reopened.facts()]).toEqual(facts);
    expect(facts).toHaveLength(MIXED.length);
  });

  it('given a file whose facts are JSON objects (schema 2), migrates them to the compact form and serves the same facts', async () => {
    const { w, facts } = await liveFacts();
    withDatabase(w.file, (db) => {
      const save = db.prepare<[string, string]>('UPDATE ticket_list_1_facts SET facts = ? WHERE id = ?');
      for (const ticket of facts) save.run(JSON.stringify(ticket), ticket.ticketId);
      db.exec('UPDATE readmodel_schema SET version = 2');
    });

    const reopened = w.list();

    expect([...reopened.facts()]).toEqual(facts);
    const stored = withDatabase(w.file, (db) => db.prepare<[], { facts: string }>('SELECT facts FROM ticket_list_1_facts').all());
    expect(stored).toHaveLength(MIXED.length);
    for (const { facts: text } of stored) expect(JSON.parse(text)).toBeInstanceOf(Array);
    expect(withDatabase(w.file, (db) => db.prepare('SELECT version FROM readmodel_schema').get())).toEqual({ version: 3 });
  });

  it('given a file written before facts were kept (schema 1), migrates it and fills them in', async () => {
    const { w, facts } = await liveFacts();
    withDatabase(w.file, (db) =>
      db.exec(`
        DROP TABLE ticket_list_1_facts;
        ALTER TABLE ticket_list_generations DROP COLUMN rebuild;
        UPDATE readmodel_schema SET version = 1;`),
    );

    const reopened = w.list();

    expect([...reopened.facts()]).toEqual(facts);
    await expect(rebuild(w)).resolves.toMatchObject({ generation: 2, interrupted: false });
    expect([...w.list().facts()]).toEqual(facts);
  });
});

describe('rebuildTicketList: bad input', () => {
  it('refuses a `from` that is not a position of the store, and leaves the catalogue as it was', async () => {
    const { w } = await liveOverMixedHistory();
    const before = catalogueOf(w.file);

    await expect(rebuild(w, { from: 'abc' })).rejects.toThrow('not a SQLite event store position: abc');
    await expect(rebuild(w, { from: '' })).rejects.toThrow(TypeError);

    expect(catalogueOf(w.file)).toEqual(before);
    expect(w.list().generation).toBe(1);
  });

  it('refuses a batch size, checkpoint interval, ticket bound or thread count out of range, and leaves the catalogue as it was', async () => {
    const { w } = await liveOverMixedHistory();
    const before = catalogueOf(w.file);

    for (const batchSize of [0, -2, 1.5, Number.NaN]) await expect(rebuild(w, { batchSize })).rejects.toThrow(RangeError);
    await expect(rebuild(w, { batchSize: 0 })).rejects.toThrow('batchSize must be a positive whole number; got 0');
    await expect(rebuild(w, { checkpointEvents: 0 })).rejects.toThrow('checkpointEvents must be a positive whole number; got 0');
    await expect(rebuild(w, { maxTickets: 2.5 })).rejects.toThrow('maxTickets must be a positive whole number; got 2.5');
    for (const threads of [-1, 1.5, Number.NaN]) await expect(rebuild(w, { threads })).rejects.toThrow(`threads must be a whole number, 0 or more; got ${threads}`);

    expect(catalogueOf(w.file)).toEqual(before);
  });

  it('keeps an unfinished rebuild resumable when a run with a bad `from` is refused', async () => {
    const { w } = await liveOverMixedHistory();
    await rebuildStoppedAtFirstCheckpoint(w);
    const unfinished = catalogueOf(w.file);

    await expect(rebuild(w, { from: 'abc' })).rejects.toThrow('not a SQLite event store position: abc');

    expect(catalogueOf(w.file)).toEqual(unfinished);
    await expect(rebuild(w, { batchSize: 2 })).resolves.toMatchObject({ generation: 2, resumed: true, interrupted: false });
  });
});

describe('readTicketStreams and ticketStreamsAfter', () => {
  async function collect(streams: AsyncIterable<RecordedEvent[]>): Promise<RecordedEvent[][]> {
    const groups: RecordedEvent[][] = [];
    for await (const records of streams) groups.push(records);
    return groups;
  }

  /** Three tickets whose events interleave in the log, and a stream that is not a ticket's. */
  async function interleaved(w: World) {
    const [a, b, c] = [await w.open({ at: T0 }), await w.open({ at: T0 + MINUTE }), await w.open({ at: T0 + 2 * MINUTE })];
    await w.store.appendToStream('relay-checkpoints', [{ id: randomUUID(), type: 'Checkpointed', data: {} }], 'any');
    await w.command({ ...triage, ticketId: a }, T0 + 3 * MINUTE);
    const middle = await endOfLog(w);
    await w.command({ ...triage, ticketId: c }, T0 + 4 * MINUTE);
    await w.command({ ...requestInfo, ticketId: a }, T0 + 5 * MINUTE);
    await w.command({ ...escalate(1), ticketId: c }, T0 + 6 * MINUTE);
    return { streams: [a, b, c].map(streamOf).sort(), middle, a: streamOf(a), c: streamOf(c) };
  }

  const grouping = (groups: RecordedEvent[][]) => groups.map((records) => records.map(({ stream, revision }) => `${stream}@${revision}`));

  it('names the ticket streams with events after a position, sorted, and none other', async () => {
    const w = world();
    const { streams, middle, a, c } = await interleaved(w);

    expect(await ticketStreamsAfter(w.store)).toEqual(streams);
    expect(await ticketStreamsAfter(w.store, middle)).toEqual([a, c].sort());
    expect(await ticketStreamsAfter(w.store, await endOfLog(w))).toEqual([]);
  });

  it('given `only`, reads each of those streams whole and in revision order, in the order given, after `after`', async () => {
    const w = world();
    const { a, c } = await interleaved(w);
    const wanted = [a, c].sort();
    const whole = await Promise.all(wanted.map((stream) => w.store.readStream(stream)));

    expect(await collect(readTicketStreams(w.store, { only: wanted }))).toEqual(whole);
    expect(grouping(whole)).toEqual(wanted.map((stream) => [`${stream}@0`, `${stream}@1`, `${stream}@2`]));
    expect(await collect(readTicketStreams(w.store, { only: wanted, after: wanted[0] }))).toEqual(whole.slice(1));
    // A stream named but never written yields nothing.
    expect(await collect(readTicketStreams(w.store, { only: [...wanted, streamOf('never-opened')] }))).toEqual(whole);
    expect(await collect(readTicketStreams(w.store, { only: [] }))).toEqual([]);
  });

  it('reads through the port alone what SQLite reads from its index: the same streams, grouped the same way', async () => {
    const w = world();
    const { streams } = await interleaved(w);
    const port: EventStore = throughPort(w.store);

    const bySqlite = await collect(readTicketStreams(w.store));
    expect(await collect(readTicketStreams(port))).toEqual(bySqlite);
    expect(bySqlite.map((records) => records[0]?.stream)).toEqual(streams);
    expect(await collect(readTicketStreams(port, { after: streams[0] }))).toEqual(bySqlite.slice(1));
  });
});
