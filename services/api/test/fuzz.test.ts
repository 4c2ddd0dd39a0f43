/**
 * Issue 5: bad input never produces a 5xx and never stores anything. fast-check throws bodies,
 * raw bytes, headers, paths and query strings at a real API over a real SQLite file. Every answer
 * must be below 500, every refusal RFC 9457 problem+json with a `code`, and only a 2xx may have
 * appended events (a random note text is a valid note, so a write is judged by the answer).
 * Bodies that certainly break a schema (built from a field table written here, independently of
 * the server's schemas) must be refused outright; valid bodies must be stored, so that "nothing
 * was stored" cannot pass by storing nothing ever.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateSecret, issueToken } from '@caseflow/identity';
import fc from 'fast-check';
import type { RouteCommand } from '../src/index.js';
import { ROUTE_COMMANDS } from '../src/index.js';
import type { Reply, TestApi } from '../src/testing.js';
import { T0, parsedOrText, removeTestFiles, startTestApi } from '../src/testing.js';
import { openBody } from './support.js';

afterAll(removeTestFiles);

// --- what every answer must be ------------------------------------------------------------------

const isProblem = (reply: Reply) =>
  /^application\/problem\+json/.test(reply.headers.get('content-type') ?? '') && typeof reply.body?.code === 'string' && reply.body?.status === reply.status;

/** Sends one request and holds its answer to the rules for any input; returns it for stricter checks. */
async function exchange(api: TestApi, send: () => Promise<Reply>): Promise<Reply> {
  const eventsBefore = api.eventCount();
  const reply = await send();
  const eventsAdded = api.eventCount() - eventsBefore;
  const violations = [
    reply.status >= 500 ? 'a server error' : undefined,
    reply.status >= 300 && eventsAdded !== 0 ? `${eventsAdded} events stored without a 2xx` : undefined,
    reply.status >= 400 && !isProblem(reply) ? 'a refusal that is not problem+json with a code' : undefined,
  ].filter((violation) => violation !== undefined);
  // With the answer itself, so that a failure shows what came back.
  const answer = `${reply.status} ${reply.headers.get('content-type')} ${JSON.stringify(reply.body)?.slice(0, 500)}`;
  expect(violations.length === 0 ? [] : [...violations, answer]).toEqual([]);
  return reply;
}

/**
 * One request exactly as given: the path's bytes as they are (fetch would normalise `../` and
 * `%2e`), and a body with no content-type at all (fetch adds text/plain to a string). Each on a
 * connection of its own, so that a connection the server closed after a refusal is never reused.
 */
function sendRaw(api: TestApi, method: string, path: string, options: { headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<Reply> {
  const { hostname, port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ hostname, port, method, path, headers: options.headers, agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const one of [value ?? []].flat()) headers.append(name, one);
        }
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: incoming.statusCode ?? 0, headers, body: parsedOrText(text) });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const RUNS = { numRuns: 300 } as const;

// --- the request bodies, field by field ---------------------------------------------------------

/** A string field as the API documents it: a pattern it must match, length bounds, trimmed or not. */
interface StringField {
  kind: 'string';
  required?: boolean;
  pattern?: RegExp;
  min?: number;
  max?: number;
  /** Surrounding whitespace does not count towards `min`. */
  trimmed?: boolean;
}
type Field = StringField | { kind: 'contact'; required: true };
type BodySpec = Record<string, Field>;

const oneOf = (...values: string[]): StringField => ({ kind: 'string', pattern: new RegExp(`^(${values.join('|')})$`) });
const text = (max: number): StringField => ({ kind: 'string', min: 1, max, trimmed: true });
const nonEmpty = (max: number): StringField => ({ kind: 'string', min: 1, max });
const required = <F extends StringField>(field: F): F => ({ ...field, required: true });

const SEVERITY = oneOf('A', 'B', 'C');
const CATEGORY = oneOf('technical', 'billing', 'presales');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const ON_BEHALF: BodySpec = { onBehalfOfPhoneVerification: { kind: 'string', pattern: UUID } };

const OPEN_SPEC: BodySpec = {
  // alice@contoso opens: any tenant but her own is refused, whatever its spelling.
  tenant: oneOf('contoso'),
  category: required(CATEGORY),
  severity: required(SEVERITY),
  title: required(text(200)),
  description: { kind: 'string', max: 20_000 },
  contact: { kind: 'contact', required: true },
  language: required({ kind: 'string', pattern: /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/ }),
  relatedTicketId: { kind: 'string', pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/ },
  ...ON_BEHALF,
};

const COMMAND_SPECS: Record<RouteCommand, BodySpec> = {
  triage: { severity: SEVERITY, category: CATEGORY, owner: nonEmpty(200), queue: nonEmpty(200), text: text(20_000), ...ON_BEHALF },
  'request-info': { text: text(20_000), ...ON_BEHALF },
  'customer-reply': { text: text(20_000), ...ON_BEHALF },
  downgrade: { reason: required(text(500)), ...ON_BEHALF },
  resolve: { text: required(text(20_000)), ...ON_BEHALF },
  close: { reason: oneOf('cancelled', 'duplicate', 'out-of-scope', 'no-response', 'confirmed', 'agent-closed', 'auto-close'), text: text(20_000), ...ON_BEHALF },
  reopen: { text: text(20_000), ...ON_BEHALF },
  note: { text: required(text(20_000)), visibility: oneOf('public', 'internal'), ...ON_BEHALF },
  assign: { owner: required(nonEmpty(200)), queue: nonEmpty(200), ...ON_BEHALF },
  'change-severity': { severity: required(SEVERITY), reason: text(500), ...ON_BEHALF },
};

const VALID_COMMAND_BODIES: Record<RouteCommand, Record<string, unknown>> = {
  triage: { severity: 'B', owner: 'sam', text: 'Looking into it' },
  'request-info': { text: 'Please send a message trace' },
  'customer-reply': { text: 'Attached' },
  downgrade: { reason: 'no reply for a day' },
  resolve: { text: 'Connector certificate renewed' },
  close: { reason: 'cancelled' },
  reopen: { text: 'It broke again' },
  note: { text: 'Checked the connector', visibility: 'internal' },
  assign: { owner: 'kim', queue: 'exchange' },
  'change-severity': { severity: 'A', reason: 'the whole company is down' },
};

/** Keys no body has: unknown names, the command envelope a client must not set, and prototype pollution. */
const foreignKey = (spec: BodySpec) =>
  fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'type', 'ticketId', 'commandId', 'actor', 'causationId', 'plan', 'region', 'advancedAgreement'),
    fc.string({ minLength: 1, maxLength: 30 }),
  ).filter((key) => !Object.hasOwn(spec, key));

const notAString = fc.jsonValue({ maxDepth: 3 }).filter((value) => typeof value !== 'string');

/** Strings from the edges: every code point, long runs, blanks and control characters. */
const edgyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }),
  fc.constantFrom('', ' ', '\t\n', '\u0000', '\u200b', '\ufeff', 'é'.normalize('NFD'), '👩‍💻', '\u202e'),
  // Around the limits: 200 for titles and owners, 500 for reasons, 20 000 for texts, 64 KiB for a body.
  fc.constantFrom(199, 200, 201, 499, 500, 501, 19_999, 20_000, 20_001, 70_000).map((length) => 'x'.repeat(length)),
);

/** A value a string field certainly refuses. */
function brokenString(field: StringField): fc.Arbitrary<unknown> {
  const { pattern, min = 0, max, trimmed = false } = field;
  return fc.oneof(
    notAString,
    ...(pattern === undefined ? [] : [fc.string({ unit: 'binary', maxLength: 40 }).filter((value) => !pattern.test(value))]),
    ...(max === undefined ? [] : [fc.integer({ min: max + 1, max: max + 70_000 }).map((length) => 'y'.repeat(length))]),
    ...(min < 1 ? [] : [fc.constantFrom(trimmed ? ' \t\n ' : '')]),
  );
}

const brokenContact: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
  fc.constant({ preferred: 'phone', email: 'alice@contoso.example' }),
  fc.string({ maxLength: 30 }).filter((value) => !value.includes('@')).map((email) => ({ email, preferred: 'email' })),
  fc.string({ maxLength: 30 }).filter((value) => !/^\+?[0-9][0-9 ()-]{5,24}$/.test(value)).map((phone) => ({ phone, preferred: 'phone' })),
  fc.constantFrom('fax', 'pigeon', '').map((preferred) => ({ email: 'alice@contoso.example', preferred })),
  fc.tuple(fc.constantFrom('__proto__', 'name', 'fax'), fc.jsonValue({ maxDepth: 1 })).map(([key, value]) => withKey({ email: 'alice@contoso.example', preferred: 'email' }, key, value)),
);

/** `body` with `key` set as an own property, even when the key is `__proto__`. */
function withKey(body: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...body };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

type Mutation = { drop: string } | { set: string; value: unknown };

const applyMutations = (valid: Record<string, unknown>, mutations: readonly Mutation[]) =>
  mutations.reduce((body, mutation) => {
    if ('drop' in mutation) {
      const { [mutation.drop]: _dropped, ...rest } = body;
      return rest;
    }
    return withKey(body, mutation.set, mutation.value);
  }, valid);

/** A change after which the body certainly breaks the schema: a required field gone, a field wrong, a field too many. */
function breakingMutation(spec: BodySpec): fc.Arbitrary<Mutation> {
  const fields = Object.entries(spec);
  const requiredNames = fields.filter(([, field]) => field.required === true).map(([fieldName]) => fieldName);
  return fc.oneof(
    ...(requiredNames.length === 0 ? [] : [fc.constantFrom(...requiredNames).map((drop): Mutation => ({ drop }))]),
    ...fields.map(([fieldName, field]) => (field.kind === 'contact' ? brokenContact : brokenString(field)).map((value): Mutation => ({ set: fieldName, value }))),
    fc.tuple(foreignKey(spec), fc.jsonValue({ maxDepth: 2 })).map(([set, value]): Mutation => ({ set, value })),
  );
}

/** Any change, valid or not: a field dropped, or set to any JSON or edgy string. */
function anyMutation(spec: BodySpec): fc.Arbitrary<Mutation> {
  const fieldName = fc.oneof(fc.constantFrom(...Object.keys(spec)), foreignKey(spec));
  return fc.oneof(
    fieldName.map((drop): Mutation => ({ drop })),
    fc.tuple(fieldName, fc.oneof(edgyString, fc.jsonValue({ maxDepth: 3 }))).map(([set, value]): Mutation => ({ set, value })),
  );
}

const brokenBody = (valid: Record<string, unknown>, spec: BodySpec) =>
  fc.array(breakingMutation(spec), { minLength: 1, maxLength: 3 }).map((mutations) => applyMutations(valid, mutations));
const mutatedBody = (valid: Record<string, unknown>, spec: BodySpec) =>
  fc.array(anyMutation(spec), { minLength: 1, maxLength: 4 }).map((mutations) => applyMutations(valid, mutations));

/** Any JavaScript value as the JSON a client would send of it (undefined and functions become null). */
const anythingAsJson = fc.anything({ maxDepth: 3, withNullPrototype: true }).map((value) => JSON.stringify(value) ?? 'null');

/** Free-text fields changed to edgy strings: often still valid, so these reach the engine and the store. */
function edgyTextBody(valid: Record<string, unknown>, spec: BodySpec) {
  const textFields = Object.keys(spec).filter((fieldName) => {
    const field = spec[fieldName];
    return field?.kind === 'string' && field.pattern === undefined;
  });
  const mutation = fc.tuple(fc.constantFrom(...textFields), edgyString).map(([set, value]): Mutation => ({ set, value }));
  return fc.array(mutation, { minLength: 1, maxLength: 2 }).map((mutations) => applyMutations(valid, mutations));
}

/** Any body at all, as JSON text: any value, a valid body mutated anyhow, or one with edgy text. */
function anyBodyText(valid: Record<string, unknown>, spec: BodySpec): fc.Arbitrary<string> {
  const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)), anythingAsJson);
  return fc.oneof(
    { arbitrary: anyJson, weight: 1 },
    { arbitrary: mutatedBody(valid, spec).map((body) => JSON.stringify(body)), weight: 2 },
    { arbitrary: edgyTextBody(valid, spec).map((body) => JSON.stringify(body)), weight: 2 },
  );
}

/** Who acts: every role, including a customer of another tenant who cannot see the ticket. */
const someone = fc.constantFrom('alice@contoso', 'bob@contoso', 'eva@fabrikam', 'pat@adatum-partners', 'sam@support', 'sue@support', 'ana@support', 'sla-timer');
const routeCommand = fc.constantFrom(...ROUTE_COMMANDS);

// --- the properties -----------------------------------------------------------------------------

describe('bad input to the API, fuzzed', () => {
  let api: TestApi;
  /** A real ticket the command routes act on; fuzzed valid commands move it through its states. */
  let ticketId: string;

  beforeAll(async () => {
    api = await startTestApi();
    const opened = await api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody() });
    expect(opened.status).toBe(201);
    ticketId = opened.body.id as string;
  });
  afterAll(() => api.close());

  const commandPath = (command: RouteCommand) => `/v1/tickets/${ticketId}/${command}`;

  it('refuses an open body that breaks the schema with a 4xx problem, and stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(brokenBody(openBody(), OPEN_SPEC), async (body) => {
        const reply = await exchange(api, () => api.request('POST', '/v1/tickets', { as: 'alice@contoso', body }));
        expect(reply.status).toBeGreaterThanOrEqual(400);
      }),
      RUNS,
    );
  });

  it('refuses a command body that breaks the schema, on a real ticket, with a 4xx problem, and stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        routeCommand.chain((command) => fc.tuple(fc.constant(command), brokenBody(VALID_COMMAND_BODIES[command], COMMAND_SPECS[command]))),
        someone,
        async ([command, body], who) => {
          const reply = await exchange(api, () => api.request('POST', commandPath(command), { as: who, body }));
          expect(reply.status).toBeGreaterThanOrEqual(400);
        },
      ),
      RUNS,
    );
  });

  it('answers any JSON value or mutated body, to open or to any command, below 500, storing only on a 2xx', async () => {
    const openRequest = anyBodyText(openBody(), OPEN_SPEC).map((rawBody) => ({ path: '/v1/tickets', rawBody }));
    const commandRequest = routeCommand.chain((command) =>
      anyBodyText(VALID_COMMAND_BODIES[command], COMMAND_SPECS[command]).map((rawBody) => ({ path: commandPath(command), rawBody })),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(openRequest, commandRequest), someone, async ({ path, rawBody }, who) => {
        await exchange(api, () => api.request('POST', path, { as: who, rawBody, headers: { 'content-type': 'application/json' } }));
      }),
      RUNS,
    );
  });

  it('answers raw bytes under any content type, or none, below 500, storing only on a 2xx', async () => {
    const validJson = fc.constantFrom(JSON.stringify(openBody()), ...Object.values(VALID_COMMAND_BODIES).map((body) => JSON.stringify(body)));
    const encoder = new TextEncoder();
    const bytes = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }).map((value) => encoder.encode(value)),
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(validJson, fc.nat()).map(([json, cut]) => encoder.encode(json.slice(0, cut % json.length))),
      fc.tuple(validJson, fc.string({ minLength: 1, maxLength: 10 })).map(([json, tail]) => encoder.encode(json + tail)),
      validJson.map((json) => Buffer.from(json, 'utf16le')),
      fc.constant(new Uint8Array(70 * 1024).fill(0x20)),
    );
    const contentType = fc.option(
      fc.oneof(
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'application/json; charset=utf-16',
          'application/json; charset=latin1',
          'APPLICATION/JSON',
          'application/json;;',
          'application/problem+json',
          'application/merge-patch+json',
          'text/plain',
          'text/plain; charset=utf-8',
          'text/html',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=xyz',
          'application/octet-stream',
          '*/*',
          '',
        ),
        fc.string({ maxLength: 40 }),
      ),
      { nil: undefined },
    );
    const path = fc.oneof(fc.constant('/v1/tickets'), routeCommand.map(commandPath));
    await fc.assert(
      fc.asyncProperty(path, bytes, contentType, someone, async (target, body, type, who) => {
        const headers = { authorization: `Bearer ${api.token(who)}`, ...(type === undefined ? {} : { 'content-type': type }) };
        await exchange(api, () => sendRaw(api, 'POST', target, { headers, body }));
      }),
      RUNS,
    );
  });

  it('answers any If-Match, Idempotency-Key, Authorization and Content-Type below 500, and a foreign token with 401', async () => {
    /** What fetch lets through a header: Latin-1 without control characters. */
    const headerText = (maxLength: number) =>
      fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength });
    const headerValue = fc.oneof(headerText(60), fc.string({ maxLength: 60 }), fc.integer({ min: 200, max: 8_000 }).map((length) => 'k'.repeat(length)));
    const ifMatch = fc.oneof(
      headerValue,
      fc.constantFrom('"0"', 'W/"0"', '0', '"1"', '*', '"-1"', '""', 'W/', '"999999999999999"', '"9999999999999999"', '"0", "1"'),
      fc.bigInt({ min: 0n, max: 10n ** 20n }).map((revision) => `"${revision}"`),
    );
    // Well-formed and signed, but by a key that is not ours: the claims must count for nothing.
    const forgedTokens = await Promise.all(
      [{ sub: 'sam@support', role: 'agent', tenant: 'support' } as const, { sub: 'alice@contoso', role: 'customer-admin', tenant: 'contoso' } as const].map(
        async (claims) => `Bearer ${await issueToken(generateSecret(), claims, { now: T0 })}`,
      ),
    );
    // One of our tokens with a character slipped into its claims: the signature no longer holds.
    const tamperedToken = fc.tuple(someone, fc.nat(), fc.constantFrom('A', 'z', '_', '.', '=', '%')).map(([who, at, char]) => {
      const [header = '', payload = '', signature = ''] = api.token(who).split('.');
      const index = at % payload.length;
      return `Bearer ${header}.${payload.slice(0, index)}${char}${payload.slice(index)}.${signature}`;
    });
    const foreignAuthorization = fc.oneof(
      headerValue,
      headerValue.map((value) => `Bearer ${value}`),
      fc.constantFrom('Bearer', 'Bearer ', 'Basic YWxpY2U6c2VjcmV0', 'bearer a.b.c', 'Bearer a.b.c', 'Bearer ..', 'Bearer ====', 'Token abc', ...forgedTokens),
      tamperedToken,
    );
    const authorization = fc.oneof(
      { arbitrary: someone.map((who) => ({ value: `Bearer ${api.token(who)}`, ours: true })), weight: 2 },
      { arbitrary: foreignAuthorization.map((value) => ({ value, ours: false })), weight: 2 },
      { arbitrary: fc.constant({ value: undefined, ours: false }), weight: 1 },
    );
    const headers = fc.record(
      {
        'if-match': ifMatch,
        'idempotency-key': fc.oneof(headerValue, fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 220 })),
        'content-type': fc.oneof(headerValue, fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16')),
      },
      { requiredKeys: [] },
    );
    const target = fc.oneof(
      fc.constant({ path: '/v1/tickets', body: openBody() }),
      routeCommand.map((command) => ({ path: commandPath(command), body: VALID_COMMAND_BODIES[command] })),
    );
    await fc.assert(
      fc.asyncProperty(target, headers, authorization, async ({ path, body }, fuzzed, auth) => {
        const sent = { ...fuzzed, ...(auth.value === undefined ? {} : { authorization: auth.value }) };
        const reply = await exchange(api, () => api.request('POST', path, { body, headers: sent }));
        // Headers over Node's 16 KiB are refused (413) before anyone looks at the token.
        if (!auth.ours && reply.body?.code !== 'payload_too_large') {
          expect(reply.status).toBe(401);
          expect(reply.body.code).toBe('unauthorized');
        }
      }),
      RUNS,
    );
  });

  it('answers any path under the routes below 500, storing only on a 2xx', async () => {
    const RAW_PIECES = ['%zz', '%00', '%', '%2', '%2e%2e', '%2E', '%2F', '%2f', '%5C', '..', '.', '../', './', '//', '%C0%AF', '%ff', '%E2%82', '%u0041', ';', ':', '*', '~', '?', '#', '&', '=', '\\', '%20', '+'];
    /** http.request sends any path of these bytes as they are. */
    const latin1 = fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 30 });
    const segment = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
      fc.array(fc.oneof(fc.constantFrom(...RAW_PIECES), fc.string({ unit: 'grapheme-ascii', maxLength: 4 }).map(encodeURIComponent)), { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join('')),
      latin1,
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,70}$/),
      fc.integer({ min: 64, max: 6_000 }).map((length) => 't'.repeat(length)),
    );
    const request = fc.oneof(
      segment.map((id) => ({ method: 'GET', path: `/v1/tickets/${id}`, body: undefined })),
      segment.map((id) => ({ method: 'GET', path: `/v1/tickets/${id}/history`, body: undefined })),
      fc.tuple(segment, routeCommand).map(([id, command]) => ({ method: 'POST', path: `/v1/tickets/${id}/${command}`, body: VALID_COMMAND_BODIES[command] })),
      segment.map((command) => ({ method: 'POST', path: `/v1/tickets/${ticketId}/${command}`, body: { text: 'Hello' } })),
      segment.map((tenant) => ({ method: 'POST', path: `/v1/tenants/${tenant}/phone-verifications`, body: { phone: '+1 425 555 0199' } })),
      segment.map((id) => ({ method: 'GET', path: `/v1/phone-verifications/${id}`, body: undefined })),
      segment.map((id) => ({ method: 'POST', path: `/v1/phone-verifications/${id}/confirm`, body: { code: '123456' } })),
      fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => ({ method: 'GET', path: `/v1/${segments.join('/')}`, body: undefined })),
    );
    await fc.assert(
      fc.asyncProperty(request, fc.constantFrom('sam@support', 'alice@contoso'), async ({ method, path, body }, who) => {
        const headers: Record<string, string> = { authorization: `Bearer ${api.token(who)}` };
        if (body !== undefined) headers['content-type'] = 'application/json';
        await exchange(api, () => sendRaw(api, method, path, { headers, ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }) }));
      }),
      RUNS,
    );
  });

  it('answers any query string for GET /v1/tickets with 200 or 400 validation_failed', async () => {
    // Enough tickets for a second page, so that a real cursor can be tampered with.
    for (const title of ['Second', 'Third']) expect((await api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody({ title }) })).status).toBe(201);
    const firstPage = await api.request('GET', '/v1/tickets?limit=1', { as: 'sam@support' });
    const cursor = JSON.parse(Buffer.from(firstPage.body.nextCursor as string, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tamperedCursor = fc
      .record({ o: fc.oneof(fc.jsonValue(), fc.integer(), fc.double()), i: fc.oneof(fc.jsonValue(), fc.string({ unit: 'binary' })) }, { requiredKeys: [] })
      .map((changes) => Buffer.from(JSON.stringify({ ...cursor, ...changes })).toString('base64url'));

    const parameter = fc.oneof(
      fc.tuple(fc.constant('state'), fc.oneof(fc.constantFrom('opened', 'closed', 'awaitingCustomer', 'OPENED', 'none', ''), fc.string())),
      fc.tuple(fc.constant('severity'), fc.oneof(fc.constantFrom('A', 'B', 'C', 'a', 'D', ''), fc.string())),
      fc.tuple(fc.constant('limit'), fc.oneof(fc.constantFrom('-1', '0', '1', '500', '501', 'abc', '', '1e2', '0x10', ' 5', '2.5', 'Infinity', 'NaN', '9'.repeat(400)), fc.integer().map(String))),
      fc.tuple(fc.constant('cursor'), fc.oneof(fc.string({ unit: 'binary' }), fc.base64String(), tamperedCursor, fc.constant(firstPage.body.nextCursor as string))),
      fc.tuple(fc.constant('breached'), fc.constantFrom('true', 'false', 'maybe', '', '1', 'TRUE')),
      fc.tuple(fc.constantFrom('tenant', 'owner'), fc.oneof(fc.constantFrom('contoso', 'sam', ''), fc.string({ unit: 'binary' }), fc.constant('o'.repeat(3_000)))),
      fc.tuple(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 })),
    );
    const query = fc.oneof(
      fc.array(parameter, { maxLength: 5 }).map((parameters) => parameters.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')),
      fc.array(fc.constantFrom('%zz', '%00', '&', '=', '==', 'limit', 'limit=', '&&', '%', '+', 'state[]=opened', 'limit[a]=1', '__proto__=1', 'constructor[prototype][x]=1'), { maxLength: 6 }).map((pieces) => pieces.join('')),
    );
    await fc.assert(
      fc.asyncProperty(query, someone, async (search, who) => {
        const reply = await exchange(api, () => sendRaw(api, 'GET', `/v1/tickets?${search}`, { headers: { authorization: `Bearer ${api.token(who)}` } }));
        expect([200, 400]).toContain(reply.status);
        if (reply.status === 400) expect(reply.body.code).toBe('validation_failed');
      }),
      RUNS,
    );
  });

  // --- the counter-checks: valid input does store -----------------------------------------------

  it('stores a valid open body built from valid parts: 201 and more events', async () => {
    const local = fc.stringMatching(/^[a-z0-9]{1,20}$/);
    const contact = fc.oneof(
      local.map((who) => ({ email: `${who}@contoso.example`, preferred: 'email' })),
      fc.tuple(local, fc.stringMatching(/^\+?[0-9][0-9 ()-]{5,24}$/)).map(([who, phone]) => ({ email: `${who}@contoso.example`, phone, preferred: 'phone' })),
    );
    const validOpen = fc.record(
      {
        category: fc.constantFrom('technical', 'billing', 'presales'),
        severity: fc.constantFrom('B', 'C'),
        title: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 50 }).filter((title) => title.trim() !== ''),
        description: fc.string({ unit: 'grapheme', maxLength: 300 }),
        contact,
        language: fc.constantFrom('en', 'de', 'zh-CN', 'pt-BR', 'fil'),
      },
      { requiredKeys: ['category', 'severity', 'title', 'contact', 'language'] },
    );
    await fc.assert(
      fc.asyncProperty(validOpen, async (body) => {
        const eventsBefore = api.eventCount();
        const reply = await exchange(api, () => api.request('POST', '/v1/tickets', { as: 'alice@contoso', body }));
        expect(reply.status).toBe(201);
        expect(reply.body).toMatchObject({ tenant: 'contoso', title: body.title.trim(), severity: body.severity });
        expect(api.eventCount()).toBeGreaterThan(eventsBefore);
      }),
      { numRuns: 40 },
    );
  });

  it('stores a valid note with any text: 200 and one more event', async () => {
    const opened = await api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody({ title: 'For notes' }) });
    const noteText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).filter((value) => value.trim() !== '');
    await fc.assert(
      fc.asyncProperty(noteText, fc.constantFrom('public', 'internal'), async (noteTextValue, visibility) => {
        const eventsBefore = api.eventCount();
        const reply = await exchange(api, () => api.request('POST', `/v1/tickets/${opened.body.id}/note`, { as: 'sam@support', body: { text: noteTextValue, visibility } }));
        expect(reply.status).toBe(200);
        expect(api.eventCount()).toBe(eventsBefore + 1);
      }),
      { numRuns: 40 },
    );
  });
});
