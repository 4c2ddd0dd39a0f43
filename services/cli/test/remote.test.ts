/**
 * `caseflow ticket … --server URL --token T`: the same commands, printing the same things as on the
 * local store, acted on by a real API (in this process, on a real port, over its own SQLite file)
 * as the user whose token is given.
 */
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { TestApi } from '@caseflow/api/testing';
import { T0 as API_T0, removeTestFiles, startTestApi } from '@caseflow/api/testing';
import type { HistoryJson, Ran } from './helpers.js';
import { HOUR, MINUTE, at, cli, expectRefused, expectRefusalFrom, expectUsageError, expectUsageErrorFrom, inStore, json, openArgs, openTicket, removeTempDirs, tempDir } from './helpers.js';

let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
});
afterEach(async () => {
  await api.close();
});
afterAll(() => {
  removeTestFiles();
  removeTempDirs();
});

/** The CLI pointed at the API with this dev user's token. */
const as =
  (user: string) =>
  (...argv: string[]): Promise<Ran> =>
    cli(['--server', api.url, '--token', api.token(user), ...argv]);
const alice = as('alice@contoso');
const sam = as('sam@support');

/** `args` without these options and their values. */
function without(args: string[], ...options: string[]): string[] {
  return args.filter((arg, i) => !options.includes(arg) && !options.includes(args[i - 1] as string));
}

/** `ticket open` for contoso without what the server decides (plan, region) or reads from the token (who acts). */
const remoteOpenArgs = (...extra: string[]) => [...without(openArgs(), '--plan', '--region', '--as'), ...extra];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function openRemotely(): Promise<string> {
  const ran = await alice(...remoteOpenArgs());
  expect({ code: ran.code, err: ran.err }).toEqual({ code: 0, err: [] });
  expect(ran.out).toHaveLength(1);
  return ran.out[0] as string;
}

/** A command the server must refuse with `code`, storing nothing; returns the line the CLI printed. */
const expectServerRefusal = (ran: Promise<Ran>, code: string): Promise<string> => expectRefusalFrom(() => ran, code, () => api.eventCount());

/** A mistake in how the command was typed, found before anything is sent. */
const expectUsage = (ran: Promise<Ran>, message: RegExp): Promise<void> => expectUsageErrorFrom(() => ran, message, () => api.eventCount());

/** A failure that is not the caller's: exit 1, one line, nothing on stdout. */
async function expectFailure(ran: Promise<Ran>): Promise<string> {
  const { code, out, err } = await ran;
  expect({ code, out, lines: err.length }).toEqual({ code: 1, out: [], lines: 1 });
  return err[0] as string;
}

describe('a ticket’s life through the API', () => {
  it('opens as the token’s user, and each step is taken by the user whose token is given', async () => {
    // When alice opens a ticket for contoso through the API
    const id = await openRemotely();
    expect(id).toMatch(UUID);

    // then the server recorded her as the opener, with the plan and region of its tenant directory.
    const stored = await api.request('GET', `/v1/tickets/${id}`, { as: 'sam@support' });
    expect(stored.body).toMatchObject({ state: 'opened', tenant: 'contoso', plan: 'enterprise', region: 'US', openedBy: { id: 'alice@contoso', role: 'customer-admin' } });

    // When the agent and the customer move it along, each with their own token,
    const steps: [typeof sam, string[], string][] = [
      [sam, ['triage', id, '--owner', 'sam'], 'triaged (severity B, revision 1)'],
      [sam, ['request-info', id, '--text', 'Please send a message trace'], 'awaitingCustomer (severity B, revision 2)'],
      [alice, ['customer-reply', id, '--text', 'Attached'], 'triaged (severity B, revision 3)'],
      [sam, ['resolve', id, '--text', 'Connector certificate renewed'], 'resolved (severity B, revision 4)'],
      [alice, ['close', id], 'closed (severity B, revision 5)'],
    ];
    for (const [user, argv, after] of steps) {
      api.clock.advance('PT1H');
      const ran = await user('ticket', ...argv);
      expect({ code: ran.code, err: ran.err, out: ran.out }).toEqual({ code: 0, err: [], out: [`${id}: ${after}`] });
    }

    // then show, history and clocks tell its story, in text and in JSON.
    const shown = await alice('ticket', 'show', id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('state closed   severity B   category technical   revision 5');
    expect(shown.stdout).toContain(`opened ${API_T0.toISOString()} by customer-admin alice@contoso`);
    expect(json(await alice('ticket', 'show', id, '--json'))).toMatchObject({ id, state: 'closed', revision: 5, owner: 'sam', clocks: [{ name: 'initial-response', status: 'fulfilled' }] });

    const history = await sam('ticket', 'history', id);
    expect(history.code).toBe(0);
    expect(history.stdout.split('\n').map((line) => /#(\d) {2}(\w+) .* -> (\w+)/.exec(line)?.slice(1))).toEqual([
      ['0', 'TicketOpened', 'opened'],
      ['1', 'TicketTriaged', 'triaged'],
      ['2', 'InfoRequested', 'awaitingCustomer'],
      ['3', 'CustomerReplied', 'triaged'],
      ['4', 'TicketResolved', 'resolved'],
      ['5', 'TicketClosed', 'closed'],
    ]);
    const entries = json<HistoryJson[]>(await sam('ticket', 'history', id, '--json'));
    expect(entries.map(({ event, revision, stateAfter }) => [revision, event.type, event.actor.id, stateAfter.state])).toEqual([
      [0, 'TicketOpened', 'alice@contoso', 'opened'],
      [1, 'TicketTriaged', 'sam@support', 'triaged'],
      [2, 'InfoRequested', 'sam@support', 'awaitingCustomer'],
      [3, 'CustomerReplied', 'alice@contoso', 'triaged'],
      [4, 'TicketResolved', 'sam@support', 'resolved'],
      [5, 'TicketClosed', 'alice@contoso', 'closed'],
    ]);
    const thirtyMinutesIn = at(30 * MINUTE, API_T0.toISOString());
    expect((await alice('ticket', 'history', id, '--at', thirtyMinutesIn)).stdout).toContain('state opened   severity B   category technical   revision 0');
    expect(json(await alice('ticket', 'history', id, '--at', thirtyMinutesIn, '--json'))).toMatchObject({ id, state: 'opened', revision: 0 });

    // Triaged an hour after opening: the 24-hour initial response was met with 23 hours to spare.
    expect(await alice('ticket', 'clocks', id)).toMatchObject({
      code: 0,
      out: ['initial-response (cycle 0): fulfilled; due 2026-11-03T09:00:00.000Z, remaining PT23H on 24x7'],
    });
    expect(json(await alice('ticket', 'clocks', id, '--json'))).toEqual([
      { name: 'initial-response', cycle: 0, status: 'fulfilled', dueAt: '2026-11-03T09:00:00.000Z', remaining: 'PT23H', remainingMs: 23 * HOUR, target: 'PT24H', calendar: '24x7' },
    ]);
  });

  it('prints what the local store prints for the same commands by the same people at the same times', async () => {
    // Given the same ticket life, once locally and once through the API
    const dir = tempDir();
    const instant = (hours: number) => at(hours * HOUR, API_T0.toISOString());
    const local = (hours: number, who: string, ...argv: string[]) => inStore(dir, instant(hours))(...argv, '--as', who);
    const ALICE = 'customer-admin:alice@contoso@contoso';
    const SAM = 'agent:sam@support@support';

    const localId = (await local(0, ALICE, ...without(openArgs(), '--as'))).stdout;
    const remoteId = await openRemotely();
    const steps: [string, typeof sam, string[]][] = [
      [SAM, sam, ['triage', '--owner', 'sam']],
      [SAM, sam, ['request-info', '--text', 'Please send a message trace']],
      [ALICE, alice, ['customer-reply', '--text', 'Attached']],
      [SAM, sam, ['note', '--text', 'Looking at the trace', '--visibility', 'public']],
    ];
    for (const [index, [localActor, remoteUser, [command, ...options]]] of steps.entries()) {
      api.clock.advance('PT1H');
      const here = await local(index + 1, localActor, 'ticket', command as string, localId, ...options);
      const there = await remoteUser('ticket', command as string, remoteId, ...options);
      // then every command prints the same line, but for the ticket id
      expect(there.stdout.replace(remoteId, '<id>')).toBe(here.stdout.replace(localId, '<id>'));
    }

    // and so do show and history, in text, and in JSON but for the order of keys (the server's view adds the SLA clocks).
    const localNow = inStore(dir, instant(steps.length));
    const both = async (...argv: string[]) => {
      const here = await localNow('ticket', argv[0] as string, localId, ...argv.slice(1));
      const there = await alice('ticket', argv[0] as string, remoteId, ...argv.slice(1));
      expect({ code: there.code, err: there.err }).toEqual({ code: 0, err: [] });
      return { here: here.stdout.replaceAll(localId, '<id>'), there: there.stdout.replaceAll(remoteId, '<id>') };
    };
    for (const argv of [['show'], ['history'], ['history', '--at', instant(1.5)]]) {
      const { here, there } = await both(...argv);
      expect(there).toBe(here);
    }
    const asOf = await both('history', '--at', instant(1.5), '--json');
    expect(JSON.parse(asOf.there)).toEqual(JSON.parse(asOf.here));

    const shown = await both('show', '--json');
    const { clocks, ...view } = JSON.parse(shown.there) as Record<string, unknown>;
    expect(view).toEqual(JSON.parse(shown.here));
    expect(clocks).toEqual([expect.objectContaining({ name: 'initial-response', status: 'fulfilled' })]);

    // Event, command, correlation and causation ids differ: each side makes up its own.
    const history = await both('history', '--json');
    const withoutIds = (entries: HistoryJson[]) =>
      entries.map(({ event, ...entry }) => ({ ...entry, event: { ...event, id: '', commandId: '', correlationId: '', causationId: '' } }));
    expect(withoutIds(JSON.parse(history.there) as HistoryJson[])).toEqual(withoutIds(JSON.parse(history.here) as HistoryJson[]));
  });
});

describe('refusals and failures through the API', () => {
  it('a refusal exits 2 with the line a local refusal prints, and the server stores nothing', async () => {
    // Given an opened ticket, here and there
    const dir = tempDir();
    const localId = await openTicket(dir, API_T0.toISOString());
    const remoteId = await openRemotely();
    // when the agent resolves it before triage
    const there = await expectServerRefusal(sam('ticket', 'resolve', remoteId, '--text', 'done'), 'invalid_transition');
    // then both refuse in the same words.
    const here = await expectRefused(dir, ['--now', API_T0.toISOString(), 'ticket', 'resolve', localId, '--text', 'done', '--as', 'agent:sam@support'], 'invalid_transition');
    expect(there).toBe(here);
    expect(there).toMatch(/^caseflow: refused \(invalid_transition\): a ticket in state opened does not accept resolve; it accepts triage, /);
  });

  it('what the API forbids is refused (forbidden); a ticket it does not show is refused (not_found)', async () => {
    const line = await expectServerRefusal(as('bob@contoso')(...remoteOpenArgs()), 'forbidden');
    expect(line).toContain('bob@contoso');
    const id = await openRemotely();
    await expectServerRefusal(as('eva@fabrikam')('ticket', 'show', id), 'not_found');
    await expectServerRefusal(alice('ticket', 'history', 'no-such-ticket'), 'not_found');
  });

  it('a token the server does not accept exits 2 saying so, and changes nothing', async () => {
    const line = await expectServerRefusal(cli(['--server', api.url, '--token', 'not-a-token', ...remoteOpenArgs()]), 'unauthorized');
    expect(line).toMatch(/the server does not accept the token \(.+\); pass a valid one with --token or CASEFLOW_TOKEN$/);
  });

  it('options the server decides for itself, and commands it does not take, are usage errors that send nothing', async () => {
    const id = await openRemotely();
    const byTenantDirectory = /cannot be used with --server: the server's tenant directory decides a tenant's plan, region and advanced agreement/;
    await expectUsage(alice(...remoteOpenArgs('--plan', 'enterprise')), new RegExp(`^caseflow: --plan ${byTenantDirectory.source}$`));
    await expectUsage(alice(...remoteOpenArgs('--region', 'DE')), new RegExp(`--region ${byTenantDirectory.source}`));
    await expectUsage(alice(...remoteOpenArgs('--advanced-agreement')), new RegExp(`--advanced-agreement ${byTenantDirectory.source}`));
    await expectUsage(alice(...remoteOpenArgs('--as', 'customer-admin:alice@contoso')), /--as cannot be used with --server: the token says who acts/);
    await expectUsage(sam('ticket', 'triage', id, '--as', 'agent:sam@support'), /--as cannot be used with --server: the token says who acts/);
    await expectUsage(sam('--now', API_T0.toISOString(), 'ticket', 'triage', id), /--now cannot be used with --server: the server keeps the time/);
    await expectUsage(sam('ticket', 'escalate', id, '--level', '1'), /escalate is not a command the API takes/);
    await expectUsage(alice('ticket', 'clocks', id, '--at', API_T0.toISOString()), /--at cannot be used with --server: the API gives the clocks as they stand now/);
    await expectUsage(cli(['--server', api.url, 'ticket', 'show', id]), /--server needs a token: pass --token or set CASEFLOW_TOKEN/);
    await expectUsage(cli(['--server', 'localhost:8080', '--token', api.token('alice@contoso'), 'ticket', 'show', id]), /--server needs the API's http\(s\) URL, such as http:\/\/127.0.0.1:8080, not "localhost:8080"/);
    // and locally, a token alone would silently act on the local store instead of the server.
    await expectUsageError(tempDir(), ['--token', api.token('alice@contoso'), 'ticket', 'show', id], /--token is for the API: give --server as well/);
  });

  it('a server that cannot be reached exits 1 naming it and why', async () => {
    const closed = await freePort();
    const line = await expectFailure(cli(['--server', `http://127.0.0.1:${closed}`, '--token', api.token('alice@contoso'), 'ticket', 'show', 'T-1']));
    expect(line).toBe(`caseflow: cannot reach http://127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}`);
  });

  it('a server failure (5xx) exits 1, and so does a server that does not speak the API', async () => {
    const failing = await startTestApi({ verifyToken: () => Promise.reject(new Error('identity provider down')) });
    try {
      const line = await expectFailure(cli(['--server', failing.url, '--token', 'any', ...remoteOpenArgs()]));
      expect(line).toBe(`caseflow: ${failing.url} failed (HTTP 500 internal): the request could not be completed`);
      expect(failing.eventCount()).toBe(0);
    } finally {
      await failing.close();
    }

    const notCaseflow = await listen(createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>It works</h1>')));
    try {
      const line = await expectFailure(cli(['--server', notCaseflow.url, '--token', 'any', 'ticket', 'show', 'T-1']));
      expect(line).toMatch(/is it a caseflow server\?$/);
    } finally {
      await notCaseflow.close();
    }
  });
});

describe('idempotency keys and revisions through the API', () => {
  it('--command-id is the Idempotency-Key: sent twice, one ticket and one triage', async () => {
    const first = await alice(...remoteOpenArgs('--command-id', 'open-mail-flow-1'));
    const again = await alice(...remoteOpenArgs('--command-id', 'open-mail-flow-1'));
    expect(again).toMatchObject({ code: 0, out: first.out });
    expect(api.eventCount()).toBe(1);
    const id = first.out[0] as string;

    expect((await sam('ticket', 'triage', id, '--command-id', 'triage-1')).out).toEqual([`${id}: triaged (severity B, revision 1)`]);
    expect((await sam('ticket', 'triage', id, '--command-id', 'triage-1')).out).toEqual([`${id}: triaged (severity B, revision 1) — already done, nothing changed`]);
    expect(api.eventCount()).toBe(2);
  });

  it('--if-match refuses a command unless the ticket is at that revision, through the API and locally', async () => {
    const remoteId = await openRemotely();
    await expectServerRefusal(sam('ticket', 'triage', remoteId, '--if-match', '3'), 'precondition_failed');
    expect((await sam('ticket', 'triage', remoteId, '--if-match', '0')).out).toEqual([`${remoteId}: triaged (severity B, revision 1)`]);

    const dir = tempDir();
    const localId = await openTicket(dir, API_T0.toISOString());
    const triage = ['--now', API_T0.toISOString(), 'ticket', 'triage', localId, '--as', 'agent:sam@support'];
    expect(await expectRefused(dir, [...triage, '--if-match', '1'], 'precondition_failed')).toContain('is at revision 0, not 1');
    await expectUsageError(dir, [...triage, '--if-match', 'latest'], /--if-match needs a revision, a whole number as ticket show prints it, not "latest"/);
    expect(await inStore(dir)(...triage, '--if-match', '0')).toMatchObject({ code: 0, out: [`${localId}: triaged (severity B, revision 1)`] });
  });
});

describe('CASEFLOW_SERVER and CASEFLOW_TOKEN', () => {
  it('stand in for --server and --token', async () => {
    const id = await openRemotely();
    const saved = { server: process.env.CASEFLOW_SERVER, token: process.env.CASEFLOW_TOKEN };
    process.env.CASEFLOW_SERVER = api.url;
    process.env.CASEFLOW_TOKEN = api.token('alice@contoso');
    try {
      expect(json(await cli(['ticket', 'show', id, '--json']))).toMatchObject({ id, state: 'opened' });
    } finally {
      restore('CASEFLOW_SERVER', saved.server);
      restore('CASEFLOW_TOKEN', saved.token);
    }
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

async function listen(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** A port nothing listens on: one the system just handed out and that was closed again. */
async function freePort(): Promise<number> {
  const server = await listen(createServer());
  const port = Number(new URL(server.url).port);
  await server.close();
  return port;
}
