import { afterAll, describe, expect, it } from '@jest/globals';
import { removeTestFiles, startTestApi } from '../src/testing.js';
import { openBody } from './support.js';

afterAll(removeTestFiles);

describe('the API over HTTP', () => {
  it('opens a ticket for a customer admin: 201, Location, ETag and the view with its clocks', async () => {
    const api = await startTestApi();
    try {
      const opened = await api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody() });
      expect(opened.status).toBe(201);
      expect(opened.headers.get('location')).toBe(`/v1/tickets/${opened.body.id}`);
      expect(opened.headers.get('etag')).toBe('"0"');
      expect(opened.body).toMatchObject({ tenant: 'contoso', plan: 'enterprise', region: 'US', state: 'opened', revision: 0 });
      expect(opened.body.clocks[0]).toMatchObject({ name: expect.any(String), status: 'running', dueAt: '2026-11-03T09:00:00.000Z' });
      const read = await api.request('GET', `/v1/tickets/${opened.body.id}`, { as: 'bob@contoso' });
      expect(read.status).toBe(200);
      expect(read.body.id).toBe(opened.body.id);
    } finally {
      await api.close();
    }
  });

  it('serves an OpenAPI 3.1 document generated from the validating schemas', async () => {
    const api = await startTestApi();
    try {
      const { status, body } = await api.request('GET', '/openapi.json');
      expect(status).toBe(200);
      expect(body.openapi).toBe('3.1.0');
      const paths = Object.keys(body.paths as object);
      for (const path of ['/v1/tickets', '/v1/tickets/{id}', '/v1/tickets/{id}/history', '/v1/tickets/{id}/triage', '/v1/tickets/{id}/change-severity', '/v1/phone-verifications/{id}/confirm']) {
        expect(paths).toContain(path);
      }
      // The open body's schema is the one the server enforces: the same required fields and enums.
      const open = body.paths['/v1/tickets'].post.requestBody.content['application/json'].schema;
      const resolved = open.$ref === undefined ? open : body.components.schemas[String(open.$ref).split('/').pop() as string];
      expect(resolved.required).toEqual(expect.arrayContaining(['category', 'severity', 'title', 'contact', 'language']));
      expect(resolved.properties.severity.enum).toEqual(['A', 'B', 'C']);
      expect(body.paths['/v1/tickets/{id}/close'].post.responses['409']).toBeDefined();
      expect(paths).not.toContain('/metrics');
    } finally {
      await api.close();
    }
  });

  it('reports health, readiness and Prometheus metrics that count commands and refusals by code', async () => {
    const api = await startTestApi();
    try {
      expect((await api.request('GET', '/healthz')).status).toBe(200);
      expect((await api.request('GET', '/readyz')).status).toBe(200);
      const opened = await api.request('POST', '/v1/tickets', { as: 'alice@contoso', body: openBody() });
      await api.request('POST', `/v1/tickets/${opened.body.id}/resolve`, { as: 'sam@support', body: { text: 'done' } });
      const metrics = await api.request('GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('caseflow_commands_total{command="open",outcome="accepted"} 1');
      expect(metrics.body).toContain('caseflow_command_rejections_total{code="invalid_transition"} 1');
      expect(metrics.body).toMatch(/caseflow_command_duration_seconds_count\{command="open"\} 1/);
      expect(metrics.body).toContain('caseflow_readmodel_tickets');
    } finally {
      await api.close();
    }
  });

  it('has no test clock unless started with one', async () => {
    const api = await startTestApi({ testClock: undefined });
    try {
      const moved = await api.request('POST', '/v1/_clock', { body: { advance: 'PT15M' } });
      expect(moved.status).toBe(404);
      expect(moved.headers.get('content-type')).toContain('application/problem+json');
      expect((await api.request('GET', '/v1/_clock')).status).toBe(404);
    } finally {
      await api.close();
    }
  });

  it('moves the test clock forwards only', async () => {
    const api = await startTestApi();
    try {
      expect((await api.request('POST', '/v1/_clock', { body: { advance: 'P1DT2H' } })).body).toEqual({ now: '2026-11-03T11:00:00.000Z' });
      expect((await api.request('POST', '/v1/_clock', { body: { set: '2026-12-01T00:00:00+01:00' } })).body).toEqual({ now: '2026-11-30T23:00:00.000Z' });
      const back = await api.request('POST', '/v1/_clock', { body: { set: '2026-11-01T00:00:00Z' } });
      expect(back.status).toBe(400);
      expect(back.body.code).toBe('validation_failed');
      expect(api.clock.now().toISOString()).toBe('2026-11-30T23:00:00.000Z');
    } finally {
      await api.close();
    }
  });
});
