/**
 * Every error the API can give over HTTP is RFC 9457 problem details with a stable code, changes
 * nothing, and is never a 5xx.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ProblemBody, ProblemCode } from '../src/index.js';
import { PROBLEM_STATUS } from '../src/index.js';
import type { Reply, TestApi } from '../src/testing.js';
import { T0, removeTestFiles, startTestApi } from '../src/testing.js';
import { openBody } from './support.js';

const CODE = '123456';
const WRONG_CODE = '654321';
const UNREGISTERED_PHONE = '+1 206 555 0199';

afterAll(removeTestFiles);

/** The test API, with phone verifications whose code is always CODE (the API never returns a code). */
const startApi = () => startTestApi({}, { randomCode: () => CODE });

const problemOf = (reply: Reply) => reply.body as ProblemBody;

/** The RFC 9457 shape every error has, with the status its code stands for. */
function expectProblem(reply: Reply, code: ProblemCode): ProblemBody {
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  const problem = problemOf(reply);
  expect(problem).toEqual(
    expect.objectContaining({ type: expect.any(String), title: expect.any(String), status: PROBLEM_STATUS[code], detail: expect.any(String), code }),
  );
  expect(new URL(problem.type).protocol).toBe('https:');
  expect(problem.title).not.toBe('');
  expect(problem.detail).not.toBe('');
  expect(reply.status).toBe(PROBLEM_STATUS[code]);
  return problem;
}

/** A ticket of contoso, opened by its admin and taken through these commands by the agent. */
async function ticket(api: TestApi, steps: [command: string, body: object][] = [], fields: Record<string, unknown> = {}): Promise<string> {
  const opened = await api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody(fields) });
  expect(opened.status).toBe(201);
  const { id } = opened.body as { id: string };
  for (const [command, body] of steps) expect((await api.request('POST', `/v1/tickets/${id}/${command}`, { as: 'sam@support', body })).status).toBe(200);
  return id;
}

async function verification(api: TestApi, tenant = 'contoso'): Promise<string> {
  const requested = await api.request('POST', `/v1/tenants/${tenant}/phone-verifications`, { as: 'sam@support', body: { phone: UNREGISTERED_PHONE } });
  expect(requested.status).toBe(202);
  return (requested.body as { id: string }).id;
}

const confirm = (api: TestApi, id: string, code: string) => api.request('POST', `/v1/phone-verifications/${id}/confirm`, { as: 'sam@support', body: { code } });

/** Where a failing request happens: the API, what it acts on, and what others stored meanwhile. */
interface Scene {
  api: TestApi;
  id: string;
  /** Events other writers stored while the request was handled (only the conflict has any). */
  storedByOthers: number;
}

interface ProblemCase {
  name: string;
  code: ProblemCode;
  /** What the request acts on (a ticket or a verification id). */
  given?: (api: TestApi) => Promise<string>;
  when: (scene: Scene) => Promise<Reply>;
  /** What the code adds to the problem. */
  then?: (problem: ProblemBody, scene: Scene) => void | Promise<void>;
}

const issueAt = (path: (string | number)[]) => ({ errors: expect.arrayContaining([{ path, message: expect.any(String) }]) });

const CASES: ProblemCase[] = [
  {
    name: 'a body field that is not one of its values',
    code: 'validation_failed',
    when: ({ api }) => api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody({ severity: 'Z' }) }),
    then: (problem) => expect(problem).toMatchObject(issueAt(['body', 'severity'])),
  },
  {
    name: 'a body field nested in an object',
    code: 'validation_failed',
    when: ({ api }) => api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody({ contact: { email: 'not an address', preferred: 'email' } }) }),
    then: (problem) => expect(problem).toMatchObject(issueAt(['body', 'contact', 'email'])),
  },
  {
    name: 'a query parameter out of range',
    code: 'validation_failed',
    when: ({ api }) => api.request('GET', '/v1/tickets?limit=0', { as: 'sam@support' }),
    then: (problem) => expect(problem).toMatchObject(issueAt(['querystring', 'limit'])),
  },
  {
    name: 'an If-Match that is not a revision',
    code: 'validation_failed',
    given: (api) => ticket(api),
    when: ({ api, id }) => api.request('POST', `/v1/tickets/${id}/note`, { as: 'sam@support', body: { text: 'Hi' }, headers: { 'if-match': '"abc"' } }),
    then: (problem) => expect(problem).toMatchObject(issueAt(['headers', 'if-match'])),
  },
  {
    name: 'a ticket id with characters ids never have',
    code: 'validation_failed',
    when: ({ api }) => api.request('GET', '/v1/tickets/no%20such%20thing', { as: 'sam@support' }),
    then: (problem) => expect(problem).toMatchObject(issueAt(['params', 'id'])),
  },
  {
    name: 'a command the domain finds incomplete (closing an unresolved ticket without a reason)',
    code: 'validation_failed',
    given: (api) => ticket(api),
    when: ({ api, id }) => api.request('POST', `/v1/tickets/${id}/close`, { as: 'alice@contoso', body: {} }),
    then: (problem) => expect(problem).toMatchObject(issueAt(['reason'])),
  },
  {
    name: 'malformed JSON',
    code: 'validation_failed',
    when: ({ api }) => api.request('POST', '/v1/tickets', { as: 'alice@contoso', rawBody: '{"category": "technical", ', headers: { 'content-type': 'application/json' } }),
    then: (problem) => expect(problem).toMatchObject(issueAt(['body'])),
  },
  {
    name: 'no token',
    code: 'unauthorized',
    when: ({ api }) => api.request('POST', '/v1/tickets', { body: openBody({ tenant: 'contoso' }) }),
  },
  {
    name: 'a customer user triaging',
    code: 'forbidden',
    given: (api) => ticket(api),
    when: ({ api, id }) => api.request('POST', `/v1/tickets/${id}/triage`, { as: 'bob@contoso', body: {} }),
  },
  {
    name: 'a ticket that does not exist',
    code: 'not_found',
    when: ({ api }) => api.request('POST', `/v1/tickets/${randomUUID()}/note`, { as: 'sam@support', body: { text: 'Hello?' } }),
  },
  {
    name: 'a route that does not exist',
    code: 'not_found',
    when: ({ api }) => api.request('GET', '/v1/tikets', { as: 'sam@support' }),
  },
  {
    name: 'a phone verification that does not exist',
    code: 'not_found',
    when: ({ api }) => confirm(api, randomUUID(), CODE),
  },
  {
    name: 'a ticket as of an instant before it was opened',
    code: 'not_found',
    given: (api) => ticket(api),
    when: ({ api, id }) => api.request('GET', `/v1/tickets/${id}/history?at=2026-11-01T09:00:00Z`, { as: 'sam@support' }),
  },
  {
    name: 'resolving a ticket that was never triaged',
    code: 'invalid_transition',
    given: (api) => ticket(api),
    when: ({ api, id }) => api.request('POST', `/v1/tickets/${id}/resolve`, { as: 'sam@support', body: { text: 'Done' } }),
    then: (problem) => {
      expect(problem).toMatchObject({ state: 'opened', command: 'resolve' });
      expect(problem.allowed).toEqual(expect.arrayContaining(['triage', 'close', 'note']));
      expect(problem.allowed).not.toContain('resolve');
    },
  },
  {
    name: 'a ticket that changes under every attempt',
    code: 'conflict',
    given: (api) => ticket(api),
    when: async (scene) => {
      const { api, id } = scene;
      // A rival note lands between each of the engine's loads and its append: the race that,
      // lost on every attempt, makes the engine give up rather than retry for ever.
      const store = api.store;
      const append = store.appendToStream.bind(store);
      let rivalWriting = false;
      store.appendToStream = async (stream, events, expected) => {
        if (!rivalWriting) {
          rivalWriting = true;
          try {
            const rival = await api.request('POST', `/v1/tickets/${id}/note`, { as: 'sue@support', body: { text: 'Rival note' } });
            expect(rival.status).toBe(200);
            scene.storedByOthers += 1;
          } finally {
            rivalWriting = false;
          }
        }
        return append(stream, events, expected);
      };
      try {
        return await api.request('POST', `/v1/tickets/${id}/note`, { as: 'sam@support', body: { text: 'Losing note' } });
      } finally {
        store.appendToStream = append;
      }
    },
    then: async (_problem, { api, id, storedByOthers }) => {
      expect(storedByOthers).toBeGreaterThan(1);
      const history = await api.request('GET', `/v1/tickets/${id}/history`, { as: 'sam@support' });
      const notes = (history.body as { events: { event: { type: string; data: { text?: string } } }[] }).events.map(({ event }) => event.data.text);
      expect(notes).not.toContain('Losing note');
    },
  },
  {
    name: 'confirming a verification twice',
    code: 'already_confirmed',
    given: async (api) => {
      const id = await verification(api);
      expect((await confirm(api, id, CODE)).status).toBe(200);
      return id;
    },
    when: ({ api, id }) => confirm(api, id, CODE),
  },
  {
    name: 'an If-Match revision the ticket is not at',
    code: 'precondition_failed',
    given: (api) => ticket(api),
    when: ({ api, id }) => api.request('POST', `/v1/tickets/${id}/note`, { as: 'sam@support', body: { text: 'Hi' }, headers: { 'if-match': '"7"' } }),
    then: (problem) => expect(problem).toMatchObject({ expected: 7, actual: 0 }),
  },
  {
    name: 'a body over 64 KiB',
    code: 'payload_too_large',
    when: ({ api }) =>
      api.request('POST', '/v1/tickets', {
        as: 'alice@contoso',
        rawBody: JSON.stringify(openBody({ description: 'x'.repeat(65 * 1024) })),
        headers: { 'content-type': 'application/json' },
      }),
  },
  {
    name: 'a report asked for in a media type it does not come in',
    code: 'not_acceptable',
    when: ({ api }) =>
      api.request('GET', '/v1/reports/sla?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z', { as: 'analyst', headers: { accept: 'image/png' } }),
    then: (problem) => expect(problem.detail).toContain('image/png'),
  },
  {
    name: 'a body that is not JSON',
    code: 'unsupported_media_type',
    when: ({ api }) => api.request('POST', '/v1/tickets', { as: 'alice@contoso', rawBody: '<ticket>Mail flow down</ticket>', headers: { 'content-type': 'application/xml' } }),
    then: (problem) => expect(problem.detail).toContain('application/xml'),
  },
  {
    name: 'a plain-text body',
    code: 'unsupported_media_type',
    when: ({ api }) => api.request('POST', '/v1/tickets', { as: 'alice@contoso', rawBody: 'Mail flow down', headers: { 'content-type': 'text/plain' } }),
    then: (problem) => expect(problem.detail).toContain('text/plain'),
  },
  {
    name: 'a billing request at severity A',
    code: 'severity_not_allowed',
    when: ({ api }) => api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody({ category: 'billing', severity: 'A' }) }),
  },
  {
    name: 'downgrading a ticket already at the lowest severity',
    code: 'severity_not_allowed',
    given: (api) =>
      ticket(
        api,
        [
          ['triage', {}],
          ['request-info', {}],
        ],
        { severity: 'C' },
      ),
    when: ({ api, id }) => api.request('POST', `/v1/tickets/${id}/downgrade`, { as: 'sam@support', body: { reason: 'No answer' } }),
  },
  {
    name: 'reopening fifteen days after closing',
    code: 'reopen_window_expired',
    given: async (api) => {
      const id = await ticket(api, [
        ['triage', {}],
        ['resolve', { text: 'Fixed' }],
        ['close', {}],
      ]);
      api.clock.advance('P15D');
      return id;
    },
    when: ({ api, id }) => api.request('POST', `/v1/tickets/${id}/reopen`, { as: 'alice@contoso', body: {} }),
    then: (problem) => expect(problem).toMatchObject({ closedAt: T0.toISOString(), windowEndedAt: '2026-11-16T09:00:00.000Z' }),
  },
  {
    name: 'verifying a caller of a tenant with no registered contact',
    code: 'no_registered_contact',
    when: ({ api }) => api.request('POST', '/v1/tenants/support/phone-verifications', { as: 'sam@support', body: { phone: UNREGISTERED_PHONE } }),
  },
  {
    name: 'a wrong code',
    code: 'wrong_code',
    given: (api) => verification(api),
    when: ({ api, id }) => confirm(api, id, WRONG_CODE),
    then: (problem) => expect(problem).toMatchObject({ attemptsLeft: 4 }),
  },
  {
    name: 'the right code after five wrong ones',
    code: 'verification_locked',
    given: async (api) => {
      const id = await verification(api);
      for (let attempt = 1; attempt <= 5; attempt++) expect((await confirm(api, id, WRONG_CODE)).status).toBe(422);
      return id;
    },
    when: ({ api, id }) => confirm(api, id, CODE),
    then: (problem) => expect(problem).toMatchObject({ attemptsLeft: 0 }),
  },
  {
    name: 'the right code after ten minutes',
    code: 'verification_expired',
    given: async (api) => {
      const id = await verification(api);
      api.clock.advance('PT10M');
      return id;
    },
    when: ({ api, id }) => confirm(api, id, CODE),
  },
];

/** Codes no request can produce, and why. */
const NOT_PRODUCIBLE: Partial<Record<ProblemCode, string>> = {
  internal: 'a bug; the tests below look for one',
};

describe('problem details for every error code', () => {
  it.each(CASES)('$code: $name', async ({ code, given, when, then }) => {
    const api = await startApi();
    try {
      const scene: Scene = { api, id: given === undefined ? '' : await given(api), storedByOthers: 0 };
      const before = api.eventCount();

      const reply = await when(scene);

      const problem = expectProblem(reply, code);
      await then?.(problem, scene);
      expect(api.eventCount()).toBe(before + scene.storedByOthers);
    } finally {
      await api.close();
    }
  });

  it('every code of PROBLEM_STATUS is produced above or explained', () => {
    const covered = [...CASES.map((c) => c.code), ...Object.keys(NOT_PRODUCIBLE)];
    expect(new Set(covered)).toEqual(new Set(Object.keys(PROBLEM_STATUS)));
  });

  it('an unauthorized answer names the scheme to authenticate with', async () => {
    const api = await startApi();
    try {
      const reply = await api.request('GET', '/v1/tickets');
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
    } finally {
      await api.close();
    }
  });
});

describe('odd requests get a 4xx problem, never a 5xx', () => {
  let api: TestApi;
  let ticketId: string;
  beforeAll(async () => {
    api = await startApi();
    ticketId = await ticket(api);
  });
  afterAll(() => api.close());

  const json = { 'content-type': 'application/json' };
  interface Odd {
    name: string;
    code: ProblemCode;
    send: () => Promise<Reply>;
  }
  const ODD: Odd[] = [
    { name: 'a JSON null body', code: 'validation_failed', send: () => api.request('POST', '/v1/tickets', { as: 'alice@contoso', rawBody: 'null', headers: json }) },
    { name: 'a JSON array body', code: 'validation_failed', send: () => api.request('POST', '/v1/tickets', { as: 'alice@contoso', rawBody: '[]', headers: json }) },
    { name: 'an empty JSON body', code: 'validation_failed', send: () => api.request('POST', '/v1/tickets', { as: 'alice@contoso', rawBody: '', headers: json }) },
    { name: 'a command without a body', code: 'validation_failed', send: () => api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support' }) },
    {
      name: 'a body with __proto__',
      code: 'validation_failed',
      send: () => api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', rawBody: '{"text": "hi", "__proto__": {"visibility": "internal"}}', headers: json }),
    },
    { name: 'an unknown body field', code: 'validation_failed', send: () => api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text: 'hi', actor: { id: 'root' } } }) },
    { name: 'a note of blanks', code: 'validation_failed', send: () => api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text: '   ' } }) },
    { name: 'a cursor that is not ours', code: 'validation_failed', send: () => api.request('GET', '/v1/tickets?cursor=not-a-cursor', { as: 'sam@support' }) },
    { name: 'an unknown query parameter', code: 'validation_failed', send: () => api.request('GET', '/v1/tickets?sort=title', { as: 'sam@support' }) },
    { name: 'a limit beyond any number', code: 'validation_failed', send: () => api.request('GET', '/v1/tickets?limit=1e400', { as: 'sam@support' }) },
    { name: 'breached=maybe', code: 'validation_failed', send: () => api.request('GET', '/v1/tickets?breached=maybe', { as: 'sam@support' }) },
    { name: 'at= that is not an instant', code: 'validation_failed', send: () => api.request('GET', `/v1/tickets/${ticketId}/history?at=yesterday`, { as: 'sam@support' }) },
    { name: 'at= on the 31st of November', code: 'validation_failed', send: () => api.request('GET', `/v1/tickets/${ticketId}/history?at=2026-11-31T09:00:00Z`, { as: 'sam@support' }) },
    { name: 'a ticket id of 65 characters', code: 'validation_failed', send: () => api.request('GET', `/v1/tickets/${'a'.repeat(65)}`, { as: 'sam@support' }) },
    {
      name: 'an If-Match of 16 digits',
      code: 'validation_failed',
      send: () => api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text: 'hi' }, headers: { 'if-match': '"1234567890123456"' } }),
    },
    {
      name: 'an If-Match of 15 digits',
      code: 'precondition_failed',
      send: () => api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text: 'hi' }, headers: { 'if-match': 'W/"999999999999999"' } }),
    },
    {
      name: 'an Idempotency-Key with a space',
      code: 'validation_failed',
      send: () => api.request('POST', `/v1/tickets/${ticketId}/note`, { as: 'sam@support', body: { text: 'hi' }, headers: { 'idempotency-key': 'two words' } }),
    },
    { name: 'a verification id that is not a UUID', code: 'validation_failed', send: () => confirm(api, 'not-a-uuid', CODE) },
    { name: 'a code of letters', code: 'validation_failed', send: () => confirm(api, randomUUID(), 'abcdef') },
    { name: 'a tenant id in capitals', code: 'validation_failed', send: () => api.request('POST', '/v1/tenants/Contoso/phone-verifications', { as: 'sam@support', body: { phone: UNREGISTERED_PHONE } }) },
    { name: 'a tenant not in the directory', code: 'not_found', send: () => api.request('POST', '/v1/tenants/nowhere/phone-verifications', { as: 'sam@support', body: { phone: UNREGISTERED_PHONE } }) },
    { name: 'the tenant "constructor"', code: 'not_found', send: () => api.request('POST', '/v1/tenants/constructor/phone-verifications', { as: 'sam@support', body: { phone: UNREGISTERED_PHONE } }) },
    { name: 'opening for the tenant "constructor"', code: 'validation_failed', send: () => api.request('POST', '/v1/tickets', { as: 'sam@support', body: openBody({ tenant: 'constructor' }) }) },
    { name: 'an agent opening without a tenant', code: 'validation_failed', send: () => api.request('POST', '/v1/tickets', { as: 'sam@support', body: openBody() }) },
    { name: 'setting the test clock back', code: 'validation_failed', send: () => api.request('POST', '/v1/_clock', { body: { set: '2020-01-01T00:00:00Z' } }) },
    { name: 'a token of the "none" algorithm', code: 'unauthorized', send: () => api.request('GET', '/v1/tickets', { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJzYW0iLCJyb2xlIjoiYWdlbnQiLCJ0ZW5hbnQiOiJzdXBwb3J0In0.' }) },
    { name: 'a token of 10 000 characters', code: 'unauthorized', send: () => api.request('GET', '/v1/tickets', { token: 'a'.repeat(10_000) }) },
  ];

  it.each(ODD)('$name → $code', async ({ code, send }) => {
    const before = api.eventCount();

    const reply = await send();

    expect(reply.status).toBeLessThan(500);
    expectProblem(reply, code);
    expect(api.eventCount()).toBe(before);
  });
});
