import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ProblemBody } from '@caseflow/api';
import type { TicketEvent } from '@caseflow/domain';
import { Plan, Role } from '@caseflow/domain';
import type { TicketView } from '@caseflow/engine';
import type { TicketPage } from '@caseflow/readmodel';
import type { DevCredential, Reply } from './caseflow-process.js';
import { CaseflowProcess, eventually, metric, readOutbox } from './caseflow-process.js';

// The real `caseflow start` binary in a child process, over real HTTP: what a user of the product
// gets. One system per describe; each test moves the test clock only forwards and relative to
// where it finds it, so a test also passes alone. The dev tokens are issued at T0 and last 30 days
// of test-clock time, which bounds how far a describe's tests may move its clock in all.

const T0 = '2026-11-02T09:00:00Z';
const root = mkdtempSync(join(tmpdir(), 'caseflow-system-e2e-'));
let dirs = 0;
const freshDataDir = () => join(root, `data-${++dirs}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

type TicketBody = TicketView & { clocks: { name: string; status: string; dueAt: string | null }[] };
interface HistoryBody {
  ticketId: string;
  events: { revision: number; event: TicketEvent; stateAfter: TicketView }[];
}

const ALICE = 'alice@contoso';
const SAM = 'sam@support';
const SLA_TIMER = { id: 'sla-timer', role: 'service' };

const openBody = (fields: Record<string, unknown> = {}) => ({
  category: 'technical',
  severity: 'B',
  title: 'Mail flow down',
  description: 'Outbound mail is queued',
  contact: { email: 'alice@contoso.example', preferred: 'email' },
  language: 'en',
  ...fields,
});

/** A system whose helpers speak the ticket API; started in beforeAll, stopped in afterAll. */
function useSystem(testClockAt?: string) {
  let system: CaseflowProcess | undefined;
  beforeAll(async () => {
    system = await CaseflowProcess.start({ dataDir: freshDataDir(), ...(testClockAt === undefined ? {} : { testClockAt }) });
  }, 30_000);
  afterAll(async () => {
    if (system !== undefined) expect(await system.stop()).toBe(0);
  }, 30_000);
  const running = () => {
    if (system === undefined) throw new Error('the system did not start');
    return system;
  };
  const history = async (ticketId: string, as = SAM) => {
    const reply = await running().request<HistoryBody>('GET', `/v1/tickets/${ticketId}/history`, { as });
    expect(reply.status).toBe(200);
    return reply.body.events;
  };
  return {
    running,
    open: async (as: string, fields: Record<string, unknown> = {}) => {
      const opened = await running().request<TicketBody>('POST', '/v1/tickets', { as, body: openBody(fields) });
      expect(opened.status).toBe(201);
      return opened.body;
    },
    /** POST /v1/tickets/:id/<command>; If-Match when a revision is given. */
    command: (ticketId: string, command: string, as: string, body: Record<string, unknown> = {}, ifMatch?: number) =>
      running().request<TicketBody>('POST', `/v1/tickets/${ticketId}/${command}`, {
        as,
        body,
        ...(ifMatch === undefined ? {} : { headers: { 'if-match': `"${ifMatch}"` } }),
      }),
    ticket: (ticketId: string, as = SAM) => running().request<TicketBody>('GET', `/v1/tickets/${ticketId}`, { as }),
    history,
    /** The ticket's events of `type`, once there are `count` of them (the workers act asynchronously). */
    eventsOnceThere: (ticketId: string, type: TicketEvent['type'], count: number) =>
      eventually(async () => {
        const events = (await history(ticketId)).filter((e) => e.event.type === type);
        expect(events).toHaveLength(count);
        return events;
      }),
    list: async (query: string, as = SAM) => {
      const page = await running().request<TicketPage>('GET', `/v1/tickets?${query}`, { as });
      expect(page.status).toBe(200);
      return page.body.items.map((item) => item.id);
    },
    advance: async (duration: string) => {
      const moved = await running().request<{ now: string }>('POST', '/v1/_clock', { body: { advance: duration } });
      expect(moved.status).toBe(200);
      return moved.body.now;
    },
    metrics: async () => (await running().request<string>('GET', '/metrics')).body,
  };
}

/** A 2xx command's answer: the ticket in `state` at `revision`, with that revision as its ETag. */
function expectAccepted(reply: Reply<TicketBody>, state: string, revision: number) {
  expect({ status: reply.status, etag: reply.headers.get('etag'), state: reply.body.state, revision: reply.body.revision }).toEqual({
    status: 200,
    etag: `"${revision}"`,
    state,
    revision,
  });
}

function expectProblem(reply: Reply<unknown>, status: number, code: string) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status, code });
  return reply.body as ProblemBody;
}

describe('caseflow start in dev mode, over HTTP, through a ticket’s whole life', () => {
  const api = useSystem(T0);

  it('writes a token for every role and a tenant on every plan, and every token is accepted', async () => {
    const { dataDir } = api.running();
    const credentials = JSON.parse(readFileSync(join(dataDir, 'dev-credentials.json'), 'utf8')) as { users: DevCredential[] };
    const directory = JSON.parse(readFileSync(join(dataDir, 'tenants.json'), 'utf8')) as {
      tenants: Record<string, { plan: string; kind?: string; advancedAgreement?: boolean }>;
    };

    expect(new Set(credentials.users.map((u) => u.role))).toEqual(new Set(Role.options));
    const customers = Object.values(directory.tenants).filter((t) => (t.kind ?? 'customer') === 'customer');
    expect(new Set(customers.map((t) => t.plan))).toEqual(new Set(Plan.options));
    expect(customers.some((t) => t.plan === '21vianet' && t.advancedAgreement === true)).toBe(true);
    // The tokens and the secret they are signed with are the keys to every tenant.
    expect(statSync(join(dataDir, 'dev-credentials.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'dev-secret')).mode & 0o777).toBe(0o600);

    for (const user of credentials.users) {
      const listed = await api.running().request('GET', '/v1/tickets', { token: user.token });
      expect({ user: user.name, status: listed.status }).toEqual({ user: user.name, status: 200 });
    }
    expectProblem(await api.running().request('GET', '/v1/tickets', { token: 'not-a-token' }), 401, 'unauthorized');
  });

  it('opens, triages, asks, hears back, resolves, closes, reopens within the window, resolves and closes again', async () => {
    const opened = await api.running().request<TicketBody>('POST', '/v1/tickets', { as: ALICE, body: openBody() });
    expect(opened.status).toBe(201);
    const id = opened.body.id;
    expect(opened.headers.get('location')).toBe(`/v1/tickets/${id}`);
    expect(opened.headers.get('etag')).toBe('"0"');
    expect(opened.body).toMatchObject({ tenant: 'contoso', plan: 'enterprise', region: 'US', severity: 'B', state: 'opened', revision: 0 });

    // Given the agent triages at revision 0, when someone else still holds revision 0, then they are refused and nothing changes.
    expectAccepted(await api.command(id, 'triage', SAM, { severity: 'B', owner: SAM, text: 'Looking at the connector' }, 0), 'triaged', 1);
    const stale = expectProblem(await api.command(id, 'request-info', SAM, { text: 'Please send a message trace' }, 0), 412, 'precondition_failed');
    expect(stale).toMatchObject({ expected: 0, actual: 1 });
    expectAccepted(await api.command(id, 'request-info', SAM, { text: 'Please send a message trace' }, 1), 'awaitingCustomer', 2);
    expectAccepted(await api.command(id, 'customer-reply', ALICE, { text: 'Trace attached' }), 'triaged', 3);
    expectAccepted(await api.command(id, 'resolve', SAM, { text: 'Connector certificate renewed' }), 'resolved', 4);
    expectAccepted(await api.command(id, 'close', ALICE), 'closed', 5);

    const reopenedAt = await api.advance('P3D');
    const reopened = await api.command(id, 'reopen', ALICE, { text: 'It is failing again' });
    expectAccepted(reopened, 'reopened', 6);
    expect(reopened.body.reopenCount).toBe(1);
    // A reopened ticket is looked at again before it can be resolved.
    const unTriaged = expectProblem(await api.command(id, 'resolve', SAM, { text: 'Renewed again' }), 409, 'invalid_transition');
    expect(unTriaged).toMatchObject({ state: 'reopened', allowed: expect.arrayContaining(['triage']) });
    expectAccepted(await api.command(id, 'triage', SAM, { owner: SAM }), 'triaged', 7);
    expectAccepted(await api.command(id, 'resolve', SAM, { text: 'Renewed again' }), 'resolved', 8);
    expectAccepted(await api.command(id, 'close', ALICE), 'closed', 9);

    const final = await api.ticket(id, ALICE);
    expect(final.status).toBe(200);
    expect(final.headers.get('etag')).toBe('"9"');
    expect(final.body).toMatchObject({ state: 'closed', revision: 9, reopenCount: 1, owner: SAM, closedAt: reopenedAt });

    const history = await api.history(id, ALICE);
    expect(history.map((e) => [e.revision, e.event.type, e.stateAfter.state, e.event.actor.id])).toEqual([
      [0, 'TicketOpened', 'opened', ALICE],
      [1, 'TicketTriaged', 'triaged', SAM],
      [2, 'InfoRequested', 'awaitingCustomer', SAM],
      [3, 'CustomerReplied', 'triaged', ALICE],
      [4, 'TicketResolved', 'resolved', SAM],
      [5, 'TicketClosed', 'closed', ALICE],
      [6, 'TicketReopened', 'reopened', ALICE],
      [7, 'TicketTriaged', 'triaged', SAM],
      [8, 'TicketResolved', 'resolved', SAM],
      [9, 'TicketClosed', 'closed', ALICE],
    ]);
    expect(history.map((e) => e.event.occurredAt)).toEqual([...Array<string>(6).fill('2026-11-02T09:00:00.000Z'), ...Array<string>(4).fill(reopenedAt)]);

    // The customer heard about each step by email, in English, at the address on the ticket.
    const subjects = (await eventually(() => {
      const mine = readOutbox(api.running().dataDir).filter((m) => m.to === 'alice@contoso.example' && m.subject.startsWith(`[${id}]`));
      expect(mine).toHaveLength(9);
      return mine;
    })).map((m) => m.subject.slice(id.length + 3));
    expect(subjects.sort()).toEqual(
      [
        'We have received your service request: Mail flow down',
        'A support engineer is working on your request',
        'We need more information about your request',
        'Your service request has been resolved',
        'Your service request is closed',
        'Your service request has been reopened',
        'A support engineer is working on your request',
        'Your service request has been resolved',
        'Your service request is closed',
      ].sort(),
    );
  });

  it('lists tickets by state, tenant and breach, and only the caller’s tenants to a customer', async () => {
    const closed = await api.open(ALICE, { title: 'Closed at once' });
    expect((await api.command(closed.id, 'close', ALICE, { reason: 'duplicate' })).status).toBe(200);
    const fabrikam = await api.open('eva@fabrikam', { title: 'Teams calls drop', contact: { email: 'eva@fabrikam.example', preferred: 'email' }, language: 'de' });
    // Enterprise severity B: a first response within 24 hours on the wall clock, which nobody gives.
    const ignored = await api.open(ALICE, { title: 'Nobody looked' });
    await api.advance('PT25H');

    await eventually(async () => {
      expect(await api.list('state=closed')).toContain(closed.id);
      expect(await api.list('state=closed')).not.toContain(fabrikam.id);
      expect(await api.list('state=opened')).toEqual(expect.arrayContaining([fabrikam.id, ignored.id]));
      expect(await api.list('tenant=fabrikam')).toContain(fabrikam.id);
      expect(await api.list('tenant=fabrikam')).not.toContain(ignored.id);
      expect(await api.list('breached=true')).toContain(ignored.id);
      expect(await api.list('breached=true')).not.toContain(fabrikam.id);
      expect(await api.list('breached=true')).not.toContain(closed.id);
    });
    expect(await api.list('tenant=fabrikam', ALICE)).toEqual([]);
    const visibleToAlice = await api.running().request<TicketPage>('GET', '/v1/tickets?limit=500', { as: ALICE });
    expect(new Set(visibleToAlice.body.items.map((t) => t.tenant))).toEqual(new Set(['contoso']));
    expectProblem(await api.running().request('GET', '/v1/tickets?state=sleeping', { as: SAM }), 400, 'validation_failed');
  });
});

describe('caseflow start --test-clock: the sla-timer acts when the clock moves', () => {
  const api = useSystem(T0);

  it('escalates a severity A ticket at the 75 % warning and again at the breach, and lists it as breached', async () => {
    const ticket = await api.open(ALICE, { severity: 'A', title: 'All mailboxes unreachable' });
    const metrics = await eventually(async () => {
      const text = await api.metrics();
      expect(metric(text, 'caseflow_sla_timers_pending')).toBeGreaterThanOrEqual(1);
      return text;
    });
    expect(metric(metrics, 'caseflow_commands_total{command="open",outcome="accepted"}')).toBeGreaterThanOrEqual(1);

    await api.advance('PT46M');
    const warned = await api.eventsOnceThere(ticket.id, 'TicketEscalated', 1);
    expect(warned[0]?.event).toMatchObject({ actor: SLA_TIMER, data: { level: 1, clock: 'initial-response' } });
    expect(await api.list('breached=true')).not.toContain(ticket.id);

    await api.advance('PT15M');
    const breached = await api.eventsOnceThere(ticket.id, 'TicketEscalated', 2);
    expect(breached[1]?.event).toMatchObject({ actor: SLA_TIMER, data: { level: 2, clock: 'initial-response' } });
    expect((await api.ticket(ticket.id)).body).toMatchObject({ state: 'opened', escalationLevel: 2 });
    await eventually(async () => expect(await api.list('breached=true')).toContain(ticket.id));
  });

  it('downgrades a severity B ticket whose customer stays silent for the collaboration window', async () => {
    const ticket = await api.open(ALICE, { title: 'Archive search is slow' });
    expectAccepted(await api.command(ticket.id, 'triage', SAM, { owner: SAM }), 'triaged', 1);
    expectAccepted(await api.command(ticket.id, 'request-info', SAM, { text: 'Which mailboxes?' }), 'awaitingCustomer', 2);

    // Two business days on contoso's US calendar end within any four days of the wall clock.
    const now = await api.advance('P4D');
    const [downgraded] = await api.eventsOnceThere(ticket.id, 'TicketDowngraded', 1);
    expect(downgraded?.event).toMatchObject({ actor: SLA_TIMER, occurredAt: now, data: { from: 'B', to: 'C' } });
    expect((await api.ticket(ticket.id)).body).toMatchObject({ state: 'downgraded', severity: 'C', downgradeCount: 1 });
    await eventually(() =>
      expect(readOutbox(api.running().dataDir)).toContainEqual(
        expect.objectContaining({ to: 'alice@contoso.example', subject: `[${ticket.id}] The severity of your request was lowered to C` }),
      ),
    );
  });

  it('refuses a reopen 15 days after the close with 422 reopen_window_expired, and changes nothing', async () => {
    const ticket = await api.open(ALICE, { title: 'Calendar sharing broken' });
    expectAccepted(await api.command(ticket.id, 'triage', SAM, { owner: SAM }), 'triaged', 1);
    expectAccepted(await api.command(ticket.id, 'resolve', SAM, { text: 'Sharing policy fixed' }), 'resolved', 2);
    const closed = await api.command(ticket.id, 'close', ALICE);
    expectAccepted(closed, 'closed', 3);

    await api.advance('P15D');
    const refused = expectProblem(await api.command(ticket.id, 'reopen', ALICE, { text: 'Broken again' }), 422, 'reopen_window_expired');
    const closedAt = closed.body.closedAt ?? '';
    expect(refused).toMatchObject({ closedAt, windowEndedAt: new Date(Date.parse(closedAt) + 14 * 86_400_000).toISOString() });

    const after = await api.ticket(ticket.id);
    expect({ etag: after.headers.get('etag'), state: after.body.state, reopenCount: after.body.reopenCount }).toEqual({ etag: '"3"', state: 'closed', reopenCount: 0 });
    expect(await api.history(ticket.id)).toHaveLength(4);
  });
});

describe('caseflow start without --test-clock', () => {
  const api = useSystem();

  it('has no test clock: POST /v1/_clock is a 404 problem', async () => {
    expectProblem(await api.running().request('POST', '/v1/_clock', { as: SAM, body: { advance: 'P15D' } }), 404, 'not_found');
    expectProblem(await api.running().request('GET', '/v1/_clock', { as: SAM }), 404, 'not_found');
  });
});

describe('caseflow start shutting down on SIGTERM', () => {
  it('exits 0 mid-stream, keeps every command it acknowledged, and serves again after a restart with the same tokens', async () => {
    const dataDir = freshDataDir();
    const first = await CaseflowProcess.start({ dataDir });
    const token = first.token(ALICE);
    interface Acknowledged {
      path: string;
      body: unknown;
      key: string;
      ticketId: string;
      revision: number;
    }
    const acknowledged: Acknowledged[] = [];
    let restarted: CaseflowProcess | undefined;
    try {
      /** Opens a ticket, then adds notes to it, until the system stops answering with 2xx. */
      const writer = async (w: number) => {
        let ticketId: string | undefined;
        for (let i = 0; ; i++) {
          const key = `writer-${w}-${i}`;
          const path = ticketId === undefined ? '/v1/tickets' : `/v1/tickets/${ticketId}/note`;
          const body = ticketId === undefined ? openBody({ title: `Stream ${w}` }) : { text: `note ${key}` };
          let reply: Reply<TicketBody>;
          try {
            reply = await first.request<TicketBody>('POST', path, { token, body, headers: { 'idempotency-key': key } });
          } catch {
            return; // the connection was refused or cut: the system is gone
          }
          if (reply.status >= 300) return; // 503 while it closes
          ticketId = reply.body.id;
          acknowledged.push({ path, body, key, ticketId, revision: Number(reply.headers.get('etag')?.replaceAll('"', '')) });
        }
      };
      const writers = Array.from({ length: 6 }, (_, w) => writer(w));
      await eventually(() => expect(acknowledged.length).toBeGreaterThanOrEqual(30), 20_000);
      expect(await first.stop('SIGTERM')).toBe(0);
      await Promise.all(writers);
      expect(first.log).toContain('SIGTERM: stopping');

      restarted = await CaseflowProcess.start({ dataDir });
      const system = restarted;
      // Every acknowledged command is stored: sent again with its key, it is recognised, not redone.
      for (const { path, body, key, revision } of acknowledged) {
        const again = await system.request<TicketBody>('POST', path, { token, body, headers: { 'idempotency-key': key } });
        expect({ key, status: again.status, replayed: again.headers.get('idempotent-replayed'), etag: again.headers.get('etag') }).toEqual({
          key,
          status: 200,
          replayed: 'true',
          etag: `"${revision}"`,
        });
      }
      for (const ticketId of new Set(acknowledged.map((a) => a.ticketId))) {
        const history = await system.request<HistoryBody>('GET', `/v1/tickets/${ticketId}/history`, { token });
        const events = history.body.events;
        expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
        for (const { key, revision } of acknowledged.filter((a) => a.ticketId === ticketId && a.revision > 0)) {
          expect(events[revision]?.event).toMatchObject({ type: 'NoteAdded', data: { text: `note ${key}` } });
        }
      }
      // The signing secret survived the restart: the first run's token still opens tickets.
      expect((await system.request('POST', '/v1/tickets', { token, body: openBody({ title: 'After the restart' }) })).status).toBe(201);
    } finally {
      await first.stop('SIGKILL');
      if (restarted !== undefined) expect(await restarted.stop()).toBe(0);
    }
  }, 60_000);
});

describe('caseflow serve: one service per process on one data directory', () => {
  it('the API, the relay and the notifier run apart, and the customer still hears about a new request', async () => {
    const dataDir = freshDataDir();
    // Side by side, as a process supervisor would start them: dev mode settles on one secret.
    const [api, relay, notifier] = await Promise.all([
      CaseflowProcess.start({ dataDir, serve: 'api' }),
      CaseflowProcess.start({ dataDir, serve: 'relay' }),
      CaseflowProcess.start({ dataDir, serve: 'notifier' }),
    ]);
    try {
      expect(relay.log).toContain('running relay on');
      expect(notifier.log).toContain('running notifier on');
      const opened = await api.request<TicketView>('POST', '/v1/tickets', { token: api.token(ALICE), body: openBody({ title: 'Served apart' }) });
      expect(opened.status).toBe(201);
      const [mail] = await eventually(() => {
        const found = readOutbox(dataDir).filter((email) => email.subject.includes('Served apart'));
        expect(found).toHaveLength(1);
        return found;
      }, 15_000);
      expect(mail?.to).toContain('alice@contoso.example');
      // The relay's process reports no lag of its own: only the API serves metrics, and its relay gauge is absent.
      expect((await api.request<string>('GET', '/metrics')).body).not.toContain('caseflow_relay_lag_events');
    } finally {
      await Promise.all([api.stop(), relay.stop(), notifier.stop()]);
    }
  });
});
