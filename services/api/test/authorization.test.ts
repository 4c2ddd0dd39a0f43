/**
 * Who may do what over HTTP: every role against every route, tenant isolation (another tenant's
 * ticket is not there, rather than forbidden), partner delegation as the directory confirms it,
 * the token checks, internal notes, and acting on behalf of a phone-verified caller.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Role } from '@caseflow/domain';
import { generateSecret, issueToken } from '@caseflow/identity';
import type { ProblemBody } from '../src/index.js';
import type { Reply, TestApi } from '../src/testing.js';
import { T0, removeTestFiles, startTestApi } from '../src/testing.js';
import { openBody } from './support.js';

/** One dev user per role. The customer side is contoso's, which delegates to adatum-partners. */
const USER_OF: Record<Role, string> = {
  'customer-admin': 'alice@contoso',
  'customer-user': 'bob@contoso',
  partner: 'pat@adatum-partners',
  agent: 'sam@support',
  supervisor: 'sue@support',
  analyst: 'ana@support',
  service: 'sla-timer',
};
const ROLES = Object.keys(USER_OF) as Role[];
const STAFF: Role[] = ['agent', 'supervisor'];
/** The tenant's admins and its delegated partner, or support staff on their behalf. */
const CUSTOMER_SIDE: Role[] = ['customer-admin', 'partner', ...STAFF];
const PARTICIPANTS: Role[] = [...CUSTOMER_SIDE, 'service'];
/** Roles whose scope is some tenants rather than all of them. */
const SCOPED: Role[] = ['customer-admin', 'customer-user', 'partner'];

/** A phone contoso has not registered, and one it has (Alice's, written differently). */
const UNREGISTERED_PHONE = '+1 206 555 0199';
const REGISTERED_PHONE = '+1 (425) 555-0100';
const CODE = '123456';

interface TicketBody {
  id: string;
  tenant: string;
  state: string;
  revision: number;
}
interface HistoryBody {
  events: { revision: number; event: { type: string; causationId: string; data: Record<string, unknown> } }[];
}
interface VerificationBody {
  id: string;
  status: string;
  sentTo?: string;
}
interface PageBody {
  items: { id: string; tenant: string }[];
}
const bodyOf = <T>(reply: Reply) => reply.body as T;

afterAll(removeTestFiles);

interface World {
  /** The test API; every code its phone verifications issue is CODE. */
  api: TestApi;
  codesIssued: () => number;
  close: () => Promise<void>;
}

/** The test API with phone verifications whose codes are known: the API never returns a code, it goes to the tenant's contact. */
async function startWorld(): Promise<World> {
  let issued = 0;
  const api = await startTestApi(
    {},
    {
      randomCode: () => {
        issued += 1;
        return CODE;
      },
    },
  );
  return { api, codesIssued: () => issued, close: () => api.close() };
}

/** States a ticket is brought to (by the agent) so that the command under test is one it accepts. */
type Given = 'opened' | 'owned' | 'triaged' | 'awaitingCustomer' | 'resolved' | 'closed';
const STEPS_TO: Record<Given, [command: string, body: object][]> = {
  opened: [],
  owned: [['assign', { owner: 'sam@support' }]],
  triaged: [['triage', {}]],
  awaitingCustomer: [
    ['triage', {}],
    ['request-info', { text: 'Which mailboxes?' }],
  ],
  resolved: [
    ['triage', {}],
    ['resolve', { text: 'The connector is fixed' }],
  ],
  closed: [
    ['triage', {}],
    ['resolve', { text: 'The connector is fixed' }],
    ['close', {}],
  ],
};

async function ticketIn(api: TestApi, given: Given, tenant = 'contoso'): Promise<string> {
  const opened = await api.request('POST', '/v1/tickets', { as: 'sam@support', body: openBody({ tenant }) });
  expect(opened.status).toBe(201);
  const { id } = bodyOf<TicketBody>(opened);
  for (const [command, body] of STEPS_TO[given]) {
    const step = await api.request('POST', `/v1/tickets/${id}/${command}`, { as: 'sam@support', body });
    expect(step.status).toBe(200);
  }
  return id;
}

async function requestVerification(api: TestApi, tenant = 'contoso'): Promise<string> {
  const requested = await api.request('POST', `/v1/tenants/${tenant}/phone-verifications`, { as: 'sam@support', body: { phone: UNREGISTERED_PHONE } });
  expect(requested.status).toBe(202);
  return bodyOf<VerificationBody>(requested).id;
}

async function confirmedVerification(api: TestApi, tenant = 'contoso'): Promise<string> {
  const id = await requestVerification(api, tenant);
  const confirmed = await api.request('POST', `/v1/phone-verifications/${id}/confirm`, { as: 'sam@support', body: { code: CODE } });
  expect(confirmed.status).toBe(200);
  return id;
}

interface Sent {
  method: string;
  path: string;
  body?: unknown;
}

interface RouteCase {
  route: string;
  /** What the request acts on: a ticket in a state that accepts the command, a pending phone verification, or nothing. */
  target: Given | 'verification' | 'nothing';
  send: (id: string) => Sent;
  /** Roles that get `success`; every other role gets 403. */
  allowed: readonly Role[];
  success: 200 | 201 | 202;
  /** Whether an accepted request stores something (events, a code, a confirmation). */
  writes: boolean;
}

const read = (route: string, path: (id: string) => string, target: Given | 'nothing' = 'opened'): RouteCase => ({
  route,
  target,
  send: (id) => ({ method: 'GET', path: path(id) }),
  allowed: ROLES,
  success: 200,
  writes: false,
});

const command = (name: string, given: Given, body: object, allowed: readonly Role[]): RouteCase => ({
  route: `POST /v1/tickets/{id}/${name} (${given})`,
  target: given,
  send: (id) => ({ method: 'POST', path: `/v1/tickets/${id}/${name}`, body }),
  allowed,
  success: 200,
  writes: true,
});

const ROUTES: RouteCase[] = [
  {
    route: 'POST /v1/tickets',
    target: 'nothing',
    send: () => ({ method: 'POST', path: '/v1/tickets', body: openBody({ tenant: 'contoso' }) }),
    allowed: CUSTOMER_SIDE,
    success: 201,
    writes: true,
  },
  read('GET /v1/tickets', () => '/v1/tickets', 'nothing'),
  read('GET /v1/tickets/{id}', (id) => `/v1/tickets/${id}`),
  read('GET /v1/tickets/{id}/history', (id) => `/v1/tickets/${id}/history`),
  read('GET /v1/tickets/{id}/history?at=', (id) => `/v1/tickets/${id}/history?at=${T0.toISOString()}`),
  command('triage', 'opened', { severity: 'B', queue: 'exchange' }, STAFF),
  command('request-info', 'triaged', { text: 'Which mailboxes?' }, STAFF),
  command('customer-reply', 'awaitingCustomer', { text: 'All of them' }, CUSTOMER_SIDE),
  command('downgrade', 'awaitingCustomer', { reason: 'No answer for three days' }, [...STAFF, 'service']),
  command('resolve', 'triaged', { text: 'The connector is fixed' }, STAFF),
  command('close', 'triaged', { reason: 'cancelled' }, PARTICIPANTS),
  command('close', 'resolved', {}, PARTICIPANTS),
  command('reopen', 'resolved', { text: 'It is queued again' }, CUSTOMER_SIDE),
  command('reopen', 'closed', { text: 'It is queued again' }, CUSTOMER_SIDE),
  command('note', 'opened', { text: 'Still queued' }, PARTICIPANTS),
  command('assign', 'opened', { owner: 'sam@support' }, STAFF),
  // The ticket is sam's: moving it to someone else is a supervisor's call.
  command('assign', 'owned', { owner: 'sue@support' }, ['supervisor']),
  command('change-severity', 'opened', { severity: 'A', reason: 'The whole company is affected' }, ['supervisor']),
  {
    route: 'POST /v1/tenants/{tenant}/phone-verifications',
    target: 'nothing',
    send: () => ({ method: 'POST', path: '/v1/tenants/contoso/phone-verifications', body: { phone: UNREGISTERED_PHONE } }),
    allowed: STAFF,
    success: 202,
    writes: true,
  },
  {
    route: 'GET /v1/phone-verifications/{id}',
    target: 'verification',
    send: (id) => ({ method: 'GET', path: `/v1/phone-verifications/${id}` }),
    allowed: STAFF,
    success: 200,
    writes: false,
  },
  {
    route: 'POST /v1/phone-verifications/{id}/confirm',
    target: 'verification',
    send: (id) => ({ method: 'POST', path: `/v1/phone-verifications/${id}/confirm`, body: { code: CODE } }),
    allowed: STAFF,
    success: 200,
    writes: true,
  },
];

const TICKET_ROUTES = ROUTES.filter((route) => route.target !== 'nothing' && route.target !== 'verification');

/** Everything a request could have stored: events, codes issued, and the state of the verification it names. */
const footprint = ({ api, codesIssued }: World, id: string) => ({
  events: api.eventCount(),
  codes: codesIssued(),
  verification: api.verifications.get(id),
});

async function targetFor(world: World, target: RouteCase['target'], tenant: string): Promise<string> {
  if (target === 'nothing') return '';
  if (target === 'verification') return requestVerification(world.api, tenant);
  return ticketIn(world.api, target, tenant);
}

const send = (api: TestApi, sent: Sent, as: string) => api.request(sent.method, sent.path, { as, ...(sent.body === undefined ? {} : { body: sent.body }) });

describe('the authorization matrix: every role against every route, on a ticket of its own tenant', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world.close());

  const rows = ROUTES.flatMap((route) =>
    ROLES.map((role) => ({ ...route, role, expected: route.allowed.includes(role) ? route.success : 403 })),
  );

  it.each(rows)('$role: $route → $expected', async ({ role, target, send: sent, expected, writes }) => {
    const id = await targetFor(world, target, 'contoso');
    const before = footprint(world, id);

    const reply = await send(world.api, sent(id), USER_OF[role]);

    expect(reply.status).toBe(expected);
    const after = footprint(world, id);
    if (expected === 403) {
      expect(bodyOf<ProblemBody>(reply).code).toBe('forbidden');
      expect(after).toEqual(before);
    } else if (writes) {
      expect(after).not.toEqual(before);
    } else {
      expect(after).toEqual(before);
    }
  });
});

describe('tenant isolation: another tenant’s ticket is not there', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world.close());

  const rows = TICKET_ROUTES.flatMap((route) => SCOPED.map((role) => ({ ...route, role })));

  it.each(rows)('$role on a northwind ticket: $route → 404, as for a ticket that does not exist', async ({ role, target, send: sent }) => {
    const id = await targetFor(world, target, 'northwind');
    const missing = randomUUID();
    const before = footprint(world, id);

    const reply = await send(world.api, sent(id), USER_OF[role]);
    const nothing = await send(world.api, sent(missing), USER_OF[role]);

    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ ...bodyOf<ProblemBody>(nothing), detail: `no ticket ${id}` });
    expect(nothing.body).toMatchObject({ code: 'not_found', detail: `no ticket ${missing}` });
    expect(footprint(world, id)).toEqual(before);
  });

  it.each([
    ['alice@contoso', 'northwind'],
    ['eva@fabrikam', 'contoso'],
    ['pat@adatum-partners', 'northwind'],
  ])('%s may not open a request for %s: 403, nothing stored', async (user, tenant) => {
    const before = world.api.eventCount();

    const reply = await world.api.request('POST', '/v1/tickets', { as: user, body: openBody({ tenant }) });

    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ code: 'forbidden' });
    expect(world.api.eventCount()).toBe(before);
  });

  it.each([
    ['contoso', 200],
    ['fabrikam', 200],
    ['northwind', 404],
  ])('the partner acts for the tenants that delegated to it: a note on a %s ticket → %i', async (tenant, status) => {
    const id = await ticketIn(world.api, 'opened', tenant);

    const reply = await world.api.request('POST', `/v1/tickets/${id}/note`, { as: 'pat@adatum-partners', body: { text: 'Checking with the customer' } });

    expect(reply.status).toBe(status);
  });

  it('the partner opens a request for a delegated tenant, which is that tenant’s ticket', async () => {
    const reply = await world.api.request('POST', '/v1/tickets', { as: 'pat@adatum-partners', body: openBody({ tenant: 'fabrikam' }) });

    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ tenant: 'fabrikam', openedBy: { id: 'pat@adatum-partners', role: 'partner', tenant: 'adatum-partners' } });
  });
});

describe('listing: scoped callers see their tenants’ tickets only, whatever they filter on', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    for (const tenant of ['contoso', 'fabrikam', 'northwind']) await ticketIn(api, 'opened', tenant);
    await api.listCaughtUp();
  });
  afterAll(() => api.close());

  const tenantsListed = async (query: string, options: { as?: string; token?: string }) => {
    const reply = await api.request('GET', `/v1/tickets${query}`, options);
    expect(reply.status).toBe(200);
    return bodyOf<PageBody>(reply)
      .items.map((item) => item.tenant)
      .sort();
  };

  it.each([
    ['alice@contoso', '', ['contoso']],
    ['alice@contoso', '?tenant=northwind', []],
    ['alice@contoso', '?tenant=fabrikam', []],
    ['bob@contoso', '', ['contoso']],
    ['bob@contoso', '?tenant=fabrikam', []],
    ['eva@fabrikam', '', ['fabrikam']],
    ['eva@fabrikam', '?tenant=contoso', []],
    ['pat@adatum-partners', '', ['contoso', 'fabrikam']],
    ['pat@adatum-partners', '?tenant=fabrikam', ['fabrikam']],
    ['pat@adatum-partners', '?tenant=northwind', []],
    ['sam@support', '', ['contoso', 'fabrikam', 'northwind']],
    ['sue@support', '', ['contoso', 'fabrikam', 'northwind']],
    ['ana@support', '', ['contoso', 'fabrikam', 'northwind']],
    ['ana@support', '?tenant=northwind', ['northwind']],
    ['sla-timer', '', ['contoso', 'fabrikam', 'northwind']],
  ])('%s GET /v1/tickets%s lists %j', async (user, query, tenants) => {
    expect(await tenantsListed(query, { as: user })).toEqual(tenants);
  });

  it('a partner token claiming a delegation the directory does not confirm gains nothing by it', async () => {
    const token = await issueToken(
      api.secret,
      { sub: 'pat@adatum-partners', role: 'partner', tenant: 'adatum-partners', delegations: ['contoso', 'northwind'] },
      { now: T0 },
    );
    const northwind = await ticketIn(api, 'opened', 'northwind');
    const before = api.eventCount();

    expect((await api.request('GET', `/v1/tickets/${northwind}`, { token })).status).toBe(404);
    expect((await api.request('POST', `/v1/tickets/${northwind}/note`, { token, body: { text: 'Hello' } })).status).toBe(404);
    expect((await api.request('POST', '/v1/tickets', { token, body: openBody({ tenant: 'northwind' }) })).status).toBe(403);
    expect(await tenantsListed('?tenant=northwind', { token })).toEqual([]);
    // The confirmed half of the claim still holds.
    expect(await tenantsListed('', { token })).toEqual(['contoso']);
    expect(api.eventCount()).toBe(before);
  });

  it('a partner token from an organisation the customer did not delegate to sees none of its tickets', async () => {
    const token = await issueToken(api.secret, { sub: 'mallory@litware-tw', role: 'partner', tenant: 'litware-tw', delegations: ['contoso'] }, { now: T0 });
    const contoso = await ticketIn(api, 'opened', 'contoso');

    expect((await api.request('GET', `/v1/tickets/${contoso}`, { token })).status).toBe(404);
    expect(await tenantsListed('', { token })).toEqual([]);
  });
});

describe('the caller’s token', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it.each(ROUTES.map(({ route, send: sent }) => ({ route, sent: sent(randomUUID()) })))('no token on $route → 401 with WWW-Authenticate: Bearer', async ({ sent }) => {
    const before = api.eventCount();

    const reply = await api.request(sent.method, sent.path, sent.body === undefined ? {} : { body: sent.body });

    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer');
    expect(reply.body).toMatchObject({ code: 'unauthorized', detail: 'missing bearer token' });
    expect(api.eventCount()).toBe(before);
  });

  it.each([
    ['a Basic header', 'Basic YWxpY2U6c2VjcmV0'],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
  ])('%s → 401', async (_what, authorization) => {
    const reply = await api.request('GET', '/v1/tickets', { headers: { authorization } });

    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('a token signed with another secret → 401', async () => {
    const token = await issueToken(generateSecret(), { sub: 'sam@support', role: 'agent', tenant: 'support' }, { now: T0 });

    const reply = await api.request('POST', '/v1/tickets', { token, body: openBody({ tenant: 'contoso' }) });

    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ code: 'unauthorized', detail: "the token's signature does not verify" });
  });

  it.each([
    ['agent', 'contoso'],
    ['supervisor', 'contoso'],
    ['analyst', 'fabrikam'],
    ['service', 'adatum-partners'],
  ] as const)('a token with role %s from %s, which is not a support organisation → 403', async (role, tenant) => {
    const token = await issueToken(api.secret, { sub: `mallory@${tenant}`, role, tenant }, { now: T0 });
    const before = api.eventCount();

    const listed = await api.request('GET', '/v1/tickets', { token });
    const opened = await api.request('POST', '/v1/tickets', { token, body: openBody({ tenant }) });

    expect(listed.status).toBe(403);
    expect(opened.status).toBe(403);
    expect(opened.body).toMatchObject({ code: 'forbidden' });
    expect(api.eventCount()).toBe(before);
  });

  it('a dev token works for 30 days and not after (401)', async () => {
    const expiring = await startTestApi();
    try {
      expiring.clock.advance('P29D');
      expect((await expiring.request('GET', '/v1/tickets', { as: 'sam@support' })).status).toBe(200);

      expiring.clock.advance('P1DT1M');
      const reply = await expiring.request('GET', '/v1/tickets', { as: 'sam@support' });

      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      expect(reply.body).toMatchObject({ code: 'unauthorized', detail: 'the token has expired' });
    } finally {
      await expiring.close();
    }
  });
});

describe('internal notes', () => {
  let api: TestApi;
  let ticketId: string;
  beforeAll(async () => {
    api = await startTestApi();
    ticketId = await ticketIn(api, 'opened');
    for (const [text, visibility] of [
      ['The customer was told', 'public'],
      ['Customer keeps reopening; watch out', 'internal'],
    ]) {
      expect((await api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text, visibility } })).status).toBe(200);
    }
  });
  afterAll(() => api.close());

  it.each([
    ['sam@support', ['The customer was told', 'Customer keeps reopening; watch out']],
    ['sue@support', ['The customer was told', 'Customer keeps reopening; watch out']],
    ['ana@support', ['The customer was told', 'Customer keeps reopening; watch out']],
    ['sla-timer', ['The customer was told', 'Customer keeps reopening; watch out']],
    ['alice@contoso', ['The customer was told']],
    ['bob@contoso', ['The customer was told']],
    ['pat@adatum-partners', ['The customer was told']],
  ])('%s reads the notes %j in the history', async (user, notes) => {
    const reply = await api.request('GET', `/v1/tickets/${ticketId}/history`, { as: user });

    expect(reply.status).toBe(200);
    const { events } = bodyOf<HistoryBody>(reply);
    expect(events.filter(({ event }) => event.type === 'NoteAdded').map(({ event }) => event.data.text)).toEqual(notes);
  });
});

describe('acting on behalf of a phone caller', () => {
  let world: World;
  let api: TestApi;
  beforeAll(async () => {
    world = await startWorld();
    api = world.api;
  });
  afterAll(() => world.close());

  it('a registered phone needs no code: 200 registered, no code sent', async () => {
    const before = world.codesIssued();

    const reply = await api.request('POST', '/v1/tenants/contoso/phone-verifications', { as: 'sam@support', body: { phone: REGISTERED_PHONE } });

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ tenant: 'contoso', phone: REGISTERED_PHONE, registered: true });
    expect(world.codesIssued()).toBe(before);
  });

  it('an unregistered phone gets a code sent to the tenant’s admin; once confirmed, the agent opens and works a ticket for the caller', async () => {
    const requested = await api.request('POST', '/v1/tenants/contoso/phone-verifications', { as: 'sam@support', body: { phone: UNREGISTERED_PHONE } });
    expect(requested.status).toBe(202);
    const { id } = bodyOf<VerificationBody>(requested);
    expect(requested.headers.get('location')).toBe(`/v1/phone-verifications/${id}`);
    expect(requested.body).toMatchObject({ tenant: 'contoso', phone: UNREGISTERED_PHONE, status: 'pending', sentTo: 'a***@contoso.example' });

    const confirmed = await api.request('POST', `/v1/phone-verifications/${id}/confirm`, { as: 'sue@support', body: { code: CODE } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ id, status: 'confirmed', confirmedBy: 'sue@support' });

    const opened = await api.request('POST', '/v1/tickets', { as: 'sam@support', body: openBody({ tenant: 'contoso', onBehalfOfPhoneVerification: id }) });
    expect(opened.status).toBe(201);
    const ticketId = bodyOf<TicketBody>(opened).id;
    const noted = await api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text: 'Caller confirmed', onBehalfOfPhoneVerification: id } });
    expect(noted.status).toBe(200);

    const history = bodyOf<HistoryBody>(await api.request('GET', `/v1/tickets/${ticketId}/history`, { as: 'sam@support' }));
    expect(history.events.map(({ event }) => [event.type, event.causationId])).toEqual([
      ['TicketOpened', `phone-verification:${id}`],
      ['NoteAdded', `phone-verification:${id}`],
    ]);
  });

  interface Refusal {
    what: string;
    as: string;
    verification: (api: TestApi) => Promise<string>;
  }
  const refusals: Refusal[] = [
    { what: 'a verification that was not confirmed', as: 'sam@support', verification: (a) => requestVerification(a) },
    { what: 'a verification confirmed for fabrikam', as: 'sam@support', verification: (a) => confirmedVerification(a, 'fabrikam') },
    { what: 'a verification that does not exist', as: 'sam@support', verification: () => Promise.resolve(randomUUID()) },
    { what: 'a confirmed verification, by a customer admin', as: 'alice@contoso', verification: (a) => confirmedVerification(a) },
    { what: 'a confirmed verification, by an analyst', as: 'ana@support', verification: (a) => confirmedVerification(a) },
  ];

  it.each(refusals)('opening a contoso ticket with $what → 403, nothing stored', async ({ as, verification }) => {
    const id = await verification(api);
    const before = api.eventCount();

    const reply = await api.request('POST', '/v1/tickets', { as, body: openBody({ tenant: 'contoso', onBehalfOfPhoneVerification: id }) });

    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ code: 'forbidden' });
    expect(api.eventCount()).toBe(before);
  });

  it.each(refusals)('a note on a contoso ticket with $what → 403, nothing stored', async ({ as, verification }) => {
    const ticketId = await ticketIn(api, 'opened');
    const id = await verification(api);
    const before = api.eventCount();

    const reply = await api.request('POST', `/v1/tickets/${ticketId}/note`, { as, body: { text: 'On the phone', onBehalfOfPhoneVerification: id } });

    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ code: 'forbidden' });
    expect(api.eventCount()).toBe(before);
  });

  it('a confirmed verification serves for an hour, then is refused (403)', async () => {
    const id = await confirmedVerification(api);
    const ticketId = await ticketIn(api, 'opened');
    api.clock.advance('PT59M');
    expect((await api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text: 'Still on the phone', onBehalfOfPhoneVerification: id } })).status).toBe(200);

    api.clock.advance('PT1M');
    const before = api.eventCount();
    const reply = await api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text: 'Called back', onBehalfOfPhoneVerification: id } });

    expect(reply.status).toBe(403);
    expect(api.eventCount()).toBe(before);
  });
});
