import { afterAll, describe, expect, it } from '@jest/globals';
import { openBody, removeTestFiles, startTestApi } from './support.js';

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
});
