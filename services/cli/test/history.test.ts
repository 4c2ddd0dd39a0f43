import { afterAll, describe, expect, it } from '@jest/globals';
import type { HistoryJson } from './helpers.js';
import { ADMIN, AGENT, DAY, HOUR, T0, at, cli, expectRefused, inStore, json, openTicket, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

/** A ticket opened at T0, triaged to A at +1 h, asked at +2 h, answered at +5 h, resolved at +1 d. */
async function storyTicket(dir: string): Promise<string> {
  const id = await openTicket(dir, T0);
  json(await inStore(dir, at(HOUR))('--json', 'ticket', 'triage', id, '--as', AGENT, '--severity', 'A', '--owner', 'sam'));
  json(await inStore(dir, at(2 * HOUR))('--json', 'ticket', 'request-info', id, '--as', AGENT, '--text', 'Trace please'));
  json(await inStore(dir, at(5 * HOUR))('--json', 'ticket', 'customer-reply', id, '--as', ADMIN, '--text', 'Attached'));
  json(await inStore(dir, at(DAY))('--json', 'ticket', 'resolve', id, '--as', AGENT, '--text', 'Renewed the certificate'));
  return id;
}

describe('ticket history', () => {
  it('--json lists every event with the ticket as it stood after it', async () => {
    const dir = tempDir();
    const id = await storyTicket(dir);
    const history = json<HistoryJson[]>(await cli(['--data', dir, 'ticket', 'history', id, '--json']));
    expect(history.map((h) => [h.event.type, h.event.occurredAt, h.stateAfter.state, h.stateAfter.severity, h.stateAfter.revision])).toEqual([
      ['TicketOpened', T0, 'opened', 'B', 0],
      ['TicketTriaged', at(HOUR), 'triaged', 'A', 1],
      ['InfoRequested', at(2 * HOUR), 'awaitingCustomer', 'A', 2],
      ['CustomerReplied', at(5 * HOUR), 'triaged', 'A', 3],
      ['TicketResolved', at(DAY), 'resolved', 'A', 4],
    ]);
    for (const entry of history) {
      expect(entry.event.ticketId).toBe(id);
      expect(entry.stateAfter.id).toBe(id);
    }
    expect(history[1]?.event.actor).toEqual({ id: 'sam', role: 'agent', tenant: 'support' });
    expect(history[1]?.stateAfter.owner).toBe('sam');
    expect(history[0]?.stateAfter.owner).toBeUndefined();
    expect(history[4]?.event.data).toEqual({ summary: 'Renewed the certificate' });
  });

  it('prints one line per event without --json', async () => {
    const dir = tempDir();
    const id = await storyTicket(dir);
    const ran = await cli(['--data', dir, 'ticket', 'history', id]);
    expect(ran).toMatchObject({ code: 0, err: [] });
    const lines = ran.stdout.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(new RegExp(`^${T0}  #0  TicketOpened .* by customer-admin alice@contoso .* -> opened \\(severity B\\)$`));
    expect(lines[4]).toMatch(/#4 {2}TicketResolved .* by agent sam@support .* -> resolved \(severity A\)$/);
  });
});

describe('ticket history --at (time travel)', () => {
  it('shows the ticket as it was at an instant between events', async () => {
    const dir = tempDir();
    const id = await storyTicket(dir);
    const then = json(await cli(['--data', dir, 'ticket', 'history', id, '--at', at(3 * HOUR), '--json']));
    expect(then).toMatchObject({ id, state: 'awaitingCustomer', severity: 'A', owner: 'sam', revision: 2, lastEventAt: at(2 * HOUR) });
    expect(then.resolvedAt).toBeUndefined();

    const early = json(await cli(['--data', dir, 'ticket', 'history', id, '--at', at(30 * 60_000), '--json']));
    expect(early).toMatchObject({ state: 'opened', severity: 'B', revision: 0 });
    expect(early.owner).toBeUndefined();
  });

  it('counts an event that happened exactly at the instant, and shows the present after the last event', async () => {
    const dir = tempDir();
    const id = await storyTicket(dir);
    expect(json(await cli(['--data', dir, 'ticket', 'history', id, '--at', at(5 * HOUR), '--json']))).toMatchObject({ state: 'triaged', revision: 3 });
    expect(json(await cli(['--data', dir, 'ticket', 'history', id, '--at', T0, '--json']))).toMatchObject({ state: 'opened', revision: 0 });
    const later = json(await cli(['--data', dir, 'ticket', 'history', id, '--at', at(30 * DAY), '--json']));
    const now = json(await cli(['--data', dir, 'ticket', 'show', id, '--json']));
    expect(later).toEqual(now);
    expect(later).toMatchObject({ state: 'resolved', revision: 4 });
  });

  it('reads instants with an offset', async () => {
    const dir = tempDir();
    const id = await storyTicket(dir);
    // 11:30 in Berlin is 10:30 UTC, after the triage at 10:00 UTC and before the question at 11:00 UTC.
    const then = json(await cli(['--data', dir, 'ticket', 'history', id, '--at', '2026-01-05T11:30:00+01:00', '--json']));
    expect(then).toMatchObject({ state: 'triaged', revision: 1 });
  });

  it('prints the ticket as text without --json', async () => {
    const dir = tempDir();
    const id = await storyTicket(dir);
    const ran = await cli(['--data', dir, 'ticket', 'history', id, '--at', at(3 * HOUR)]);
    expect(ran).toMatchObject({ code: 0, err: [] });
    expect(ran.stdout).toMatch(/state awaitingCustomer\s+severity A\s+category technical\s+revision 2/);
  });

  it('before the ticket existed is a not_found refusal', async () => {
    const dir = tempDir();
    const id = await storyTicket(dir);
    const before = at(-1000);
    const line = await expectRefused(dir, ['ticket', 'history', id, '--at', before], 'not_found');
    expect(line).toBe(`caseflow: refused (not_found): ticket ${id} did not exist at ${before}`);
    await expectRefused(dir, ['ticket', 'history', id, '--at', before, '--json'], 'not_found');
  });

  it('a closed and reopened ticket travels back to its closed state', async () => {
    const dir = tempDir();
    const id = await storyTicket(dir);
    json(await inStore(dir, at(2 * DAY))('--json', 'ticket', 'close', id, '--as', ADMIN));
    json(await inStore(dir, at(5 * DAY))('--json', 'ticket', 'reopen', id, '--as', ADMIN));
    const closed = json(await cli(['--data', dir, 'ticket', 'history', id, '--at', at(3 * DAY), '--json']));
    expect(closed).toMatchObject({ state: 'closed', closeReason: 'confirmed', closedAt: at(2 * DAY), reopenCount: 0, revision: 5 });
    const now = json(await cli(['--data', dir, 'ticket', 'show', id, '--json']));
    expect(now).toMatchObject({ state: 'reopened', reopenCount: 1, revision: 6 });
    expect(now.closedAt).toBeUndefined();
  });
});
