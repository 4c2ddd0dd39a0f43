/**
 * The analyst reports over HTTP: a handful of tickets whose first responses are known to be met,
 * late, pending, overdue or without commitment, read back as SLA and states reports in JSON and
 * CSV, by the roles that may and may not read them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renderReport } from '@caseflow/analytics';
import type { TestApi } from '../src/testing.js';
import { T0, removeTestFiles, startTestApi } from '../src/testing.js';
import { openBody } from './support.js';

const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR).toISOString();
const NOVEMBER = 'from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z';
const ANALYST = 'ana@support';
const AGENT = 'sam@support';

afterAll(removeTestFiles);

/** Opens a ticket for the tenant as the agent; its id. */
async function open(api: TestApi, tenant: string, severity: string, fields: Record<string, unknown> = {}): Promise<string> {
  const reply = await api.request('POST', '/v1/tickets', { as: AGENT, body: openBody({ tenant, severity, ...fields }) });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

async function act(api: TestApi, ticketId: string, command: string, as = AGENT, body: object = {}): Promise<void> {
  const reply = await api.request('POST', `/v1/tickets/${ticketId}/${command}`, { as, body });
  expect(reply).toMatchObject({ status: 200 });
}

/** The body as it came over the wire, for byte-for-byte comparisons. */
async function rawGet(api: TestApi, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${api.token(ANALYST)}`, ...headers } });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/** An SLA row with every figure not named zero (or none). */
const slaRow = (group: string, figures: Record<string, unknown>) => ({
  group,
  tickets: 0,
  met: 0,
  breached: 0,
  noCommitment: 0,
  pending: 0,
  stopped: 0,
  responseMedianMs: null,
  responseP90Ms: null,
  awaitingCustomerMs: 0,
  downgrades: 0,
  reopens: 0,
  reopensRefused: 0,
  escalations: {},
  ...figures,
});

describe('reports over the tickets the list holds', () => {
  let api: TestApi;

  /**
   * Given, all opened at T0 (a Monday, 09:00 UTC) with severity B unless said otherwise:
   * - contoso (enterprise: B within 24 h) c1: triaged after 1 h (met), resolved at +4 h, closed at +5 h;
   * - contoso c2: never triaged, due at +24 h (pending);
   * - tailspin (elevated: B within 2 h) t1: triaged at +3 h (late), info requested then, the customer replied at +4 h;
   * - tailspin t2, severity C (within 4 h): never triaged, due at +4 h (overdue from then on);
   * - fabrikam (business: B without commitment) f1: never triaged.
   * The clock then stands at +5 h.
   */
  beforeAll(async () => {
    api = await startTestApi();
    const c1 = await open(api, 'contoso', 'B');
    await open(api, 'contoso', 'B');
    const t1 = await open(api, 'tailspin', 'B');
    await open(api, 'tailspin', 'C');
    await open(api, 'fabrikam', 'B');
    api.clock.advance('PT1H');
    await act(api, c1, 'triage');
    api.clock.advance('PT2H');
    await act(api, t1, 'triage');
    await act(api, t1, 'request-info', AGENT, { text: 'Which mailboxes?' });
    api.clock.advance('PT1H');
    await act(api, t1, 'customer-reply', 'tom@tailspin', { text: 'All of them' });
    await act(api, c1, 'resolve', AGENT, { text: 'The connector is fixed' });
    api.clock.advance('PT1H');
    await act(api, c1, 'close');
    await api.listCaughtUp();
  });
  afterAll(() => api.close());

  describe('GET /v1/reports/sla', () => {
    it('groups by plan, as of now by default: an overdue pending response counts as breached', async () => {
      const reply = await api.request('GET', `/v1/reports/sla?${NOVEMBER}&groupBy=plan`, { as: ANALYST });

      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(reply.body).toEqual({
        kind: 'sla',
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-12-01T00:00:00.000Z',
        asOf: at(5),
        groupBy: 'plan',
        policy: 'pinned',
        rows: [
          slaRow('business', { tickets: 1, noCommitment: 1 }),
          slaRow('elevated', { tickets: 2, breached: 2, responseMedianMs: 3 * HOUR, responseP90Ms: 3 * HOUR, awaitingCustomerMs: HOUR }),
          slaRow('enterprise', { tickets: 2, met: 1, pending: 1, responseMedianMs: HOUR, responseP90Ms: HOUR }),
        ],
        total: slaRow('all', {
          tickets: 5,
          met: 1,
          breached: 2,
          noCommitment: 1,
          pending: 1,
          responseMedianMs: HOUR,
          responseP90Ms: 3 * HOUR,
          awaitingCustomerMs: HOUR,
        }),
      });
    });

    it('groups by the severity tickets were opened with, as of an earlier instant: a response not yet due is pending', async () => {
      const reply = await api.request('GET', `/v1/reports/sla?${NOVEMBER}&groupBy=severity&asOf=${at(3)}`, { as: ANALYST });

      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ asOf: at(3), groupBy: 'severity' });
      expect(reply.body.rows).toEqual([
        slaRow('B', { tickets: 4, met: 1, breached: 1, noCommitment: 1, pending: 1, responseMedianMs: HOUR, responseP90Ms: 3 * HOUR, awaitingCustomerMs: HOUR }),
        slaRow('C', { tickets: 1, pending: 1 }),
      ]);
      expect(reply.body.total).toMatchObject({ tickets: 5, met: 1, breached: 1, pending: 2, noCommitment: 1 });
    });

    it('without groupBy has only the total', async () => {
      const reply = await api.request('GET', `/v1/reports/sla?${NOVEMBER}`, { as: ANALYST });

      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ groupBy: null, rows: [], total: { group: 'all', tickets: 5 } });
    });

    it('counts the tickets opened at or after from and before to, whatever offset the instants are written with', async () => {
      const fromT0 = await api.request('GET', `/v1/reports/sla?from=${encodeURIComponent('2026-11-02T10:00:00+01:00')}&to=2026-11-03T00:00:00Z`, { as: ANALYST });
      const untilT0 = await api.request('GET', `/v1/reports/sla?from=2026-11-01T00:00:00Z&to=${T0.toISOString()}`, { as: ANALYST });

      expect(fromT0.body).toMatchObject({ from: T0.toISOString(), total: { tickets: 5 } });
      expect(untilT0.body.total).toEqual(slaRow('all', {}));
    });

    it('with Accept: text/csv answers the same figures as CSV, the total last', async () => {
      const json = await api.request('GET', `/v1/reports/sla?${NOVEMBER}&groupBy=plan`, { as: ANALYST });
      const csv = await rawGet(api, `/v1/reports/sla?${NOVEMBER}&groupBy=plan`, { accept: 'text/csv' });

      expect(csv.status).toBe(200);
      expect(csv.contentType).toBe('text/csv; charset=utf-8');
      expect(csv.text.split('\n')).toEqual([
        'group,tickets,met,breached,no_commitment,pending,stopped,response_median_ms,response_p90_ms,awaiting_customer_ms,downgrades,reopens,reopens_refused',
        'business,1,0,0,1,0,0,,,0,0,0,0',
        'elevated,2,0,2,0,0,0,10800000,10800000,3600000,0,0,0',
        'enterprise,2,1,0,0,1,0,3600000,3600000,0,0,0,0',
        'all,5,1,2,1,1,0,3600000,10800000,3600000,0,0,0',
        '',
      ]);
      expect(csv.text).toBe(renderReport(json.body, 'csv'));
    });
  });

  describe('GET /v1/reports/states', () => {
    it('counts each move between consecutive states and the completed stays per state and severity', async () => {
      const reply = await api.request('GET', `/v1/reports/states?${NOVEMBER}`, { as: ANALYST });

      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        kind: 'states',
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-12-01T00:00:00.000Z',
        asOf: at(5),
        rows: [
          // c1 left opened after 1 h, t1 after 3 h.
          { state: 'opened', severity: 'B', stays: 2, medianMs: HOUR, p90Ms: 3 * HOUR },
          // t1 asked for information at once; c1 was resolved 3 h after triage.
          { state: 'triaged', severity: 'B', stays: 2, medianMs: 0, p90Ms: 3 * HOUR },
          { state: 'awaitingCustomer', severity: 'B', stays: 1, medianMs: HOUR, p90Ms: HOUR },
          { state: 'resolved', severity: 'B', stays: 1, medianMs: HOUR, p90Ms: HOUR },
        ],
        transitions: [
          { from: 'opened', to: 'triaged', count: 2 },
          { from: 'triaged', to: 'awaitingCustomer', count: 1 },
          { from: 'triaged', to: 'resolved', count: 1 },
          { from: 'awaitingCustomer', to: 'triaged', count: 1 },
          { from: 'resolved', to: 'closed', count: 1 },
        ],
      });
    });

    it('with Accept: text/csv answers one table with a section column', async () => {
      const json = await api.request('GET', `/v1/reports/states?${NOVEMBER}`, { as: ANALYST });
      const csv = await rawGet(api, `/v1/reports/states?${NOVEMBER}`, { accept: 'text/csv' });

      expect(csv.contentType).toBe('text/csv; charset=utf-8');
      const lines = csv.text.split('\n');
      expect(lines[0]).toBe('section,state,severity,stays,median_ms,p90_ms,from,to,count');
      expect(lines).toContain('state,opened,B,2,3600000,10800000,,,');
      expect(lines).toContain('transition,,,,,,opened,triaged,2');
      expect(csv.text).toBe(renderReport(json.body, 'csv'));
    });
  });

  describe('who may read them', () => {
    it.each([
      ['analyst', 'ana@support'],
      ['supervisor', 'sue@support'],
    ])('the %s reads both reports, across tenants', async (_role, user) => {
      const sla = await api.request('GET', `/v1/reports/sla?${NOVEMBER}&groupBy=tenant`, { as: user });
      const states = await api.request('GET', `/v1/reports/states?${NOVEMBER}`, { as: user });

      expect(sla.status).toBe(200);
      expect(sla.body.rows.map((row: { group: string }) => row.group)).toEqual(['contoso', 'fabrikam', 'tailspin']);
      expect(states.status).toBe(200);
    });

    it.each([
      ['agent', 'sam@support'],
      ['customer admin', 'alice@contoso'],
      ['customer user', 'bob@contoso'],
      ['partner', 'pat@adatum-partners'],
      ['service', 'sla-timer'],
    ])('the %s is refused with 403, even with a query that is not valid', async (_role, user) => {
      for (const path of [`/v1/reports/sla?${NOVEMBER}`, `/v1/reports/states?${NOVEMBER}`, '/v1/reports/sla?from=nonsense']) {
        const reply = await api.request('GET', path, { as: user });

        expect(reply.status).toBe(403);
        expect(reply.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
        expect(reply.body).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('only analysts and supervisors') });
      }
    });

    it('without a token is 401', async () => {
      const reply = await api.request('GET', `/v1/reports/sla?${NOVEMBER}`);

      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ code: 'unauthorized' });
    });
  });

  describe('bad input', () => {
    it.each([
      ['sla', 'to=2026-12-01T00:00:00Z', 'from'],
      ['sla', 'from=2026-11-01T00:00:00Z', 'to'],
      ['sla', 'from=yesterday&to=2026-12-01T00:00:00Z', 'from'],
      ['sla', 'from=2026-11-01&to=2026-12-01T00:00:00Z', 'from'],
      ['sla', 'from=2026-11-01T00:00:00&to=2026-12-01T00:00:00Z', 'from'],
      ['sla', 'from=2026-11-01T00:00:00Z&to=2026-02-30T00:00:00Z', 'to'],
      ['sla', 'from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z', 'to'],
      ['sla', 'from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:00Z', 'to'],
      ['sla', `${NOVEMBER}&groupBy=owner`, 'groupBy'],
      ['sla', `${NOVEMBER}&groupBy=plan&groupBy=tenant`, 'groupBy'],
      ['sla', `${NOVEMBER}&asOf=tomorrow`, 'asOf'],
      ['states', 'from=2026-11-01T00:00:00Z&from=2026-11-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'from'],
    ])('GET /v1/reports/%s?%s is 400 naming %s, and changes nothing', async (report, query, parameter) => {
      const events = api.eventCount();

      const reply = await api.request('GET', `/v1/reports/${report}?${query}`, { as: ANALYST });

      expect(reply.status).toBe(400);
      expect(reply.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(reply.body).toMatchObject({ code: 'validation_failed', status: 400, detail: expect.stringContaining(`querystring.${parameter}: `) });
      const paths = new Set((reply.body.errors as { path: string[] }[]).map((error) => error.path.join('.')));
      expect([...paths]).toEqual([`querystring.${parameter}`]);
      expect(api.eventCount()).toBe(events);
    });

    it('refuses groupBy on the states report, which has no groups', async () => {
      const reply = await api.request('GET', `/v1/reports/states?${NOVEMBER}&groupBy=plan`, { as: ANALYST });

      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ code: 'validation_failed', errors: [{ path: ['querystring'], message: 'Unrecognized key: "groupBy"' }] });
    });

    it('answers 406 to an Accept that allows neither JSON nor CSV', async () => {
      for (const report of ['sla', 'states']) {
        const reply = await api.request('GET', `/v1/reports/${report}?${NOVEMBER}`, { as: ANALYST, headers: { accept: 'image/png' } });

        expect(reply.status).toBe(406);
        expect(reply.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
        expect(reply.body).toMatchObject({ status: 406, code: 'not_acceptable', detail: expect.stringContaining('image/png') });
      }
    });
  });

  describe('content negotiation', () => {
    it.each([
      ['*/*', 'application/json'],
      ['application/*', 'application/json'],
      ['text/*', 'text/csv'],
      ['text/csv;q=0.5, application/json', 'application/json'],
      ['application/json;q=0.2, text/csv;q=0.8', 'text/csv'],
      ['image/png, */*;q=0.1', 'application/json'],
      ['*/*;q=0.5, application/json;q=0', 'text/csv'],
    ])('Accept: %s gives %s', async (accept, mediaType) => {
      const reply = await rawGet(api, `/v1/reports/sla?${NOVEMBER}`, { accept });

      expect(reply.status).toBe(200);
      expect(reply.contentType).toBe(`${mediaType}; charset=utf-8`);
    });
  });

  it('answers two identical requests with byte-identical bodies', async () => {
    for (const path of [`/v1/reports/sla?${NOVEMBER}&groupBy=severity`, `/v1/reports/states?${NOVEMBER}`]) {
      for (const accept of ['application/json', 'text/csv']) {
        const first = await rawGet(api, path, { accept });
        const second = await rawGet(api, path, { accept });

        expect(first.status).toBe(200);
        expect(second.text).toBe(first.text);
      }
    }
  });

  it('documents both reports in the OpenAPI document, as JSON and as CSV', async () => {
    const reply = await api.request('GET', '/openapi.json');

    for (const path of ['/v1/reports/sla', '/v1/reports/states']) {
      const operation = reply.body.paths[path].get;
      expect(Object.keys(operation.responses['200'].content)).toEqual(['application/json', 'text/csv']);
      expect(operation.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(expect.arrayContaining(['from', 'to', 'asOf']));
    }
    expect(reply.body.paths['/v1/reports/sla'].get.parameters.map((parameter: { name: string }) => parameter.name)).toContain('groupBy');
    expect(reply.body.components.schemas).toHaveProperty('SlaReport');
    expect(reply.body.components.schemas).toHaveProperty('StatesReport');
  });
});

describe('refused reopens', () => {
  let api: TestApi;
  afterAll(() => api.close());

  it('counts a follow-up opened after the pinned policy’s 14-day reopen window, and not one opened within it', async () => {
    // Given two tickets closed at T0
    api = await startTestApi();
    const early = await open(api, 'contoso', 'B');
    const late = await open(api, 'contoso', 'B');
    for (const ticketId of [early, late]) for (const command of ['triage', 'resolve', 'close']) await act(api, ticketId, command, AGENT, command === 'resolve' ? { text: 'Fixed' } : {});
    // when one is followed up after 13 days and the other after 15
    api.clock.advance('P13D');
    await open(api, 'contoso', 'B', { relatedTicketId: early });
    api.clock.advance('P2D');
    await open(api, 'contoso', 'B', { relatedTicketId: late });
    await api.listCaughtUp();

    const reply = await api.request('GET', `/v1/reports/sla?${NOVEMBER}&groupBy=tenant`, { as: ANALYST });

    // then only the late one counts, on the closed ticket
    expect(reply.status).toBe(200);
    expect(reply.body.total).toMatchObject({ tickets: 4, reopensRefused: 1 });
  });
});
