import { afterAll, describe, expect, it } from '@jest/globals';
import type { HistoryJson } from './helpers.js';
import { cli, json, removeTempDirs, storedEvents, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const END = '2026-03-01T12:00:00.000Z';

describe('caseflow demo', () => {
  it('exits 0 and leaves the closed ticket and the follow-up that links it', async () => {
    const dir = tempDir();
    const ran = await cli(['demo', '--data', dir, '--now', END]);
    expect(ran.err).toEqual([]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('refused (not_authorized)');
    expect(ran.stdout).toContain('refused (reopen_window_expired)');

    const events = await storedEvents(dir);
    const streams = [...new Set(events.map((e) => e.stream))];
    expect(streams).toHaveLength(2);
    const [closedStream, followUpStream] = streams as [string, string];
    const closedId = closedStream.replace(/^ticket-/, '');
    const followUpId = followUpStream.replace(/^ticket-/, '');
    expect(events.filter((e) => e.stream === closedStream).map((e) => e.type)).toEqual([
      'TicketOpened',
      'TicketTriaged',
      'InfoRequested',
      'CustomerReplied',
      'TicketResolved',
      'TicketClosed',
    ]);
    expect(events.filter((e) => e.stream === followUpStream).map((e) => e.type)).toEqual(['TicketOpened']);

    // Both tickets are there for `show` and `history` to explore.
    const closed = json(await cli(['--data', dir, 'ticket', 'show', closedId, '--json']));
    expect(closed).toMatchObject({ state: 'closed', severity: 'A', closeReason: 'confirmed', reopenCount: 0, revision: 5 });
    const followUp = json(await cli(['--data', dir, 'ticket', 'show', followUpId, '--json']));
    expect(followUp).toMatchObject({ state: 'opened', relatedTicketId: closedId, tenant: 'contoso', revision: 0 });
    // The story is back-dated so that it ends before --now.
    expect(Date.parse(followUp.openedAt)).toBeLessThanOrEqual(Date.parse(END));
    expect(Date.parse(followUp.openedAt) - Date.parse(closed.closedAt ?? '')).toBeGreaterThan(14 * 24 * 3_600_000);

    const history = json<HistoryJson[]>(await cli(['--data', dir, 'ticket', 'history', closedId, '--json']));
    expect(history.map((h) => h.stateAfter.state)).toEqual(['opened', 'triaged', 'awaitingCustomer', 'triaged', 'resolved', 'closed']);
    expect(ran.stdout).toContain(closedId);
  });

  it('refuses a bad --now as a usage error before touching the store', async () => {
    const dir = tempDir();
    const ran = await cli(['demo', '--data', dir, '--now', 'last week']);
    expect({ code: ran.code, out: ran.out }).toEqual({ code: 2, out: [] });
    expect(ran.stderr).toContain('--now needs an ISO 8601 instant');
    expect(await storedEvents(dir)).toEqual([]);
  });
});
