import { afterAll, describe, expect, it } from '@jest/globals';
import type { TicketView } from '@caseflow/engine';
import type { HistoryJson } from './helpers.js';
import {
  ADMIN,
  AGENT,
  DAY,
  HOUR,
  MINUTE,
  SUPERVISOR,
  SLA_WORKER,
  T0,
  at,
  cli,
  countEvents,
  expectRefused,
  inStore,
  json,
  openArgs,
  openTicket,
  removeTempDirs,
  storedEvents,
  tempDir,
} from './helpers.js';

afterAll(removeTempDirs);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('ticket open', () => {
  it('prints only the new ticket id, one line, and stores one TicketOpened event', async () => {
    const dir = tempDir();
    const ran = await inStore(dir, T0)(...openArgs());
    expect(ran).toMatchObject({ code: 0, err: [] });
    expect(ran.out).toHaveLength(1);
    const id = ran.out[0] as string;
    expect(id).toMatch(UUID);

    const events = await storedEvents(dir);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ stream: `ticket-${id}`, type: 'TicketOpened', revision: 0n });
    expect(events[0]?.metadata).toMatchObject({ occurredAt: T0, actor: { id: 'alice', role: 'customer-admin', tenant: 'contoso' } });
  });

  it('prints the ticket view with --json', async () => {
    const dir = tempDir();
    const view = json(await inStore(dir, T0)('--json', ...openArgs({ title: 'Mail flow down', language: 'de', region: 'DE' })));
    expect(view).toMatchObject({
      state: 'opened',
      severity: 'B',
      category: 'technical',
      plan: 'enterprise',
      tenant: 'contoso',
      region: 'DE',
      language: 'de',
      title: 'Mail flow down',
      revision: 0,
      escalationLevel: 0,
      reopenCount: 0,
      advancedAgreement: false,
      contact: { email: 'admin@contoso.example', preferred: 'email' },
      openedAt: T0,
      openedBy: { id: 'alice', role: 'customer-admin', tenant: 'contoso' },
    });
    expect(view.id).toMatch(UUID);
    expect(view.owner).toBeUndefined();
    expect(await countEvents(dir)).toBe(1);
  });

  it('uses the system clock when --now is absent', async () => {
    const dir = tempDir();
    const before = Date.now();
    const id = json(await inStore(dir)('--json', ...openArgs())).id;
    const after = Date.now();
    const view = json(await inStore(dir)('ticket', 'show', id, '--json'));
    const openedAt = Date.parse(view.openedAt);
    expect(openedAt).toBeGreaterThanOrEqual(before);
    expect(openedAt).toBeLessThanOrEqual(after);
  });

  it('takes a phone contact, a description, a related ticket and an agent opening on the customer’s behalf', async () => {
    const dir = tempDir();
    const earlier = await openTicket(dir);
    const view = json(
      await inStore(dir, at(HOUR))(
        '--json',
        ...openArgs({ as: AGENT, preferredContact: 'phone', category: 'billing', severity: 'C' }),
        '--contact-phone',
        '+1 425 555 0100',
        '--description',
        'Invoice is wrong',
        '--related',
        earlier,
      ),
    );
    expect(view).toMatchObject({
      state: 'opened',
      category: 'billing',
      severity: 'C',
      description: 'Invoice is wrong',
      relatedTicketId: earlier,
      contact: { email: 'admin@contoso.example', phone: '+1 425 555 0100', preferred: 'phone' },
      openedBy: { id: 'sam', role: 'agent', tenant: 'support' },
    });
  });

  it('lets a partner with delegated rights for the tenant open, and refuses one without them', async () => {
    const dir = tempDir();
    const partner = 'partner:pat@fabrikam-partners';
    const view = json(await inStore(dir, T0)('--json', ...openArgs({ as: partner }), '--delegations', 'northwind,contoso'));
    expect(view).toMatchObject({ state: 'opened', tenant: 'contoso', openedBy: { id: 'pat', role: 'partner', tenant: 'fabrikam-partners' } });

    const line = await expectRefused(dir, ['--now', T0, ...openArgs({ as: partner }), '--delegations', 'northwind'], 'not_authorized');
    expect(line).toContain('partner pat@fabrikam-partners');
    await expectRefused(dir, ['--now', T0, ...openArgs({ as: partner })], 'not_authorized');

    // The delegated partner also acts on the customer's side later on.
    const run = inStore(dir);
    expect(json(await run('--now', at(HOUR), '--json', 'ticket', 'triage', view.id, '--as', AGENT)).state).toBe('triaged');
    expect(json(await run('--now', at(2 * HOUR), '--json', 'ticket', 'request-info', view.id, '--as', AGENT)).state).toBe('awaitingCustomer');
    await expectRefused(dir, ['--now', at(3 * HOUR), 'ticket', 'customer-reply', view.id, '--as', partner], 'not_authorized');
    const replied = json(
      await run('--now', at(3 * HOUR), '--json', 'ticket', 'customer-reply', view.id, '--as', partner, '--delegations', 'contoso', '--text', 'Logs attached'),
    );
    expect(replied).toMatchObject({ state: 'triaged', revision: 3 });
  });
});

describe('the whole lifecycle through the CLI', () => {
  it('opens, triages, escalates, asks, downgrades, hears back, resolves, closes, reopens and closes again', async () => {
    const dir = tempDir();
    const id = await openTicket(dir, T0);
    const step = async (offset: number, ...argv: string[]): Promise<TicketView> => {
      const view = json(await cli(['--data', dir, '--now', at(offset), '--json', 'ticket', ...argv]));
      expect(view.id).toBe(id);
      expect(view.lastEventAt).toBe(at(offset));
      return view;
    };

    const opened = json(await cli(['--data', dir, 'ticket', 'show', id, '--json']));
    expect(opened).toMatchObject({ state: 'opened', severity: 'B', revision: 0, escalationLevel: 0 });

    const triaged = await step(30 * MINUTE, 'triage', id, '--as', AGENT, '--severity', 'A', '--owner', 'sam', '--queue', 'exchange', '--text', 'Looking');
    expect(triaged).toMatchObject({ state: 'triaged', severity: 'A', owner: 'sam', queue: 'exchange', revision: 1, triagedAt: at(30 * MINUTE) });

    const escalated = await step(45 * MINUTE, 'escalate', id, '--as', SLA_WORKER, '--level', '1', '--reason', 'response warning');
    expect(escalated).toMatchObject({ state: 'triaged', escalationLevel: 1, revision: 2 });

    const asked = await step(HOUR, 'request-info', id, '--as', AGENT, '--text', 'Please send a message trace.');
    expect(asked).toMatchObject({ state: 'awaitingCustomer', severity: 'A', revision: 3 });

    // No answer for three days: the ticket drops one level, A -> B.
    const downgraded = await step(3 * DAY, 'downgrade', id, '--as', AGENT, '--reason', 'no response in the collaboration window');
    expect(downgraded).toMatchObject({ state: 'downgraded', severity: 'B', downgradeCount: 1, revision: 4 });

    const replied = await step(3 * DAY + HOUR, 'customer-reply', id, '--as', ADMIN, '--text', 'Trace attached.');
    expect(replied).toMatchObject({ state: 'triaged', severity: 'B', revision: 5, triagedAt: at(30 * MINUTE) });

    const noted = await step(3 * DAY + 2 * HOUR, 'note', id, '--as', AGENT, '--text', 'Connector certificate expired', '--visibility', 'internal');
    expect(noted).toMatchObject({ state: 'triaged', revision: 6 });

    const assigned = await step(3 * DAY + 3 * HOUR, 'assign', id, '--as', SUPERVISOR, '--owner', 'kim', '--queue', 'transport');
    expect(assigned).toMatchObject({ state: 'triaged', owner: 'kim', queue: 'transport', revision: 7 });

    const resolved = await step(3 * DAY + 4 * HOUR, 'resolve', id, '--as', AGENT, '--text', 'Connector certificate renewed.');
    expect(resolved).toMatchObject({ state: 'resolved', revision: 8, resolution: 'Connector certificate renewed.', resolvedAt: at(3 * DAY + 4 * HOUR) });

    const closed = await step(4 * DAY, 'close', id, '--as', ADMIN);
    expect(closed).toMatchObject({ state: 'closed', closeReason: 'confirmed', closedAt: at(4 * DAY), revision: 9 });

    const reopened = await step(6 * DAY, 'reopen', id, '--as', ADMIN, '--text', 'It is back.');
    expect(reopened).toMatchObject({ state: 'reopened', reopenCount: 1, escalationLevel: 0, severity: 'B', owner: 'kim', revision: 10 });
    expect(reopened.closedAt).toBeUndefined();
    expect(reopened.resolvedAt).toBeUndefined();
    expect(reopened.resolution).toBeUndefined();

    const retriaged = await step(6 * DAY + HOUR, 'triage', id, '--as', AGENT);
    expect(retriaged).toMatchObject({ state: 'triaged', severity: 'B', owner: 'kim', revision: 11, triagedAt: at(30 * MINUTE) });

    const raised = await step(6 * DAY + 2 * HOUR, 'change-severity', id, '--as', SUPERVISOR, '--severity', 'A', '--reason', 'outage widened');
    expect(raised).toMatchObject({ state: 'triaged', severity: 'A', revision: 12 });

    const duplicate = await step(6 * DAY + 3 * HOUR, 'close', id, '--as', AGENT, '--reason', 'duplicate', '--text', 'Tracked in the follow-up');
    expect(duplicate).toMatchObject({ state: 'closed', closeReason: 'duplicate', revision: 13, reopenCount: 1 });

    // What `show` reports is what the last command printed; the store holds one event per command.
    expect(json(await cli(['--data', dir, '--json', 'ticket', 'show', id]))).toEqual(duplicate);
    const history = json<HistoryJson[]>(await cli(['--data', dir, 'ticket', 'history', id, '--json']));
    expect(history.map((h) => h.event.type)).toEqual([
      'TicketOpened',
      'TicketTriaged',
      'TicketEscalated',
      'InfoRequested',
      'TicketDowngraded',
      'CustomerReplied',
      'NoteAdded',
      'TicketAssigned',
      'TicketResolved',
      'TicketClosed',
      'TicketReopened',
      'TicketTriaged',
      'SeverityChanged',
      'TicketClosed',
    ]);
    expect(history.map((h) => h.stateAfter.revision)).toEqual(history.map((_h, i) => i));
    expect(history.map((h) => h.revision)).toEqual(history.map((_h, i) => i));
    expect(history.map((h) => h.stateAfter.state)).toEqual([
      'opened',
      'triaged',
      'triaged',
      'awaitingCustomer',
      'downgraded',
      'triaged',
      'triaged',
      'triaged',
      'resolved',
      'closed',
      'reopened',
      'triaged',
      'triaged',
      'closed',
    ]);
    expect(history[4]?.event.data).toEqual({ from: 'A', to: 'B', reason: 'no response in the collaboration window' });
    expect(history[6]?.event.data).toEqual({ text: 'Connector certificate expired', visibility: 'internal' });
    expect(history[2]?.event.actor).toEqual({ id: 'sla-timer', role: 'service', tenant: 'support' });
    expect(await countEvents(dir)).toBe(14);
  });

  it('prints one summary line for a workflow command without --json', async () => {
    const dir = tempDir();
    const id = await openTicket(dir);
    const ran = await inStore(dir, at(HOUR))('ticket', 'triage', id, '--as', AGENT, '--severity', 'A');
    expect(ran).toMatchObject({ code: 0, err: [], out: [`${id}: triaged (severity A, revision 1)`] });
  });

  it('shows a ticket as text', async () => {
    const dir = tempDir();
    const id = await openTicket(dir);
    await inStore(dir, at(HOUR))('ticket', 'triage', id, '--as', AGENT, '--owner', 'sam');
    const ran = await inStore(dir)('ticket', 'show', id);
    expect(ran).toMatchObject({ code: 0, err: [] });
    expect(ran.stdout).toContain(`${id}  Mail flow down`);
    expect(ran.stdout).toMatch(/state triaged\s+severity B\s+category technical\s+revision 1/);
    expect(ran.stdout).toContain('owner sam');
    expect(ran.stdout).toContain(`opened ${T0} by customer-admin alice@contoso`);
    expect(ran.stdout).toContain('contact email: admin@contoso.example');
  });

  it('downgrades only one level, and never below C', async () => {
    const dir = tempDir();
    const id = await openTicket(dir, T0, { severity: 'C' });
    const run = inStore(dir, at(HOUR));
    json(await run('--json', 'ticket', 'triage', id, '--as', AGENT));
    json(await run('--json', 'ticket', 'request-info', id, '--as', AGENT));
    await expectRefused(dir, ['--now', at(DAY), 'ticket', 'downgrade', id, '--as', AGENT, '--reason', 'no response'], 'severity_not_allowed');
    // The customer side may not downgrade; only the SLA worker or an agent.
    await expectRefused(dir, ['--now', at(DAY), 'ticket', 'downgrade', id, '--as', ADMIN, '--reason', 'no response'], 'not_authorized');

    const other = await openTicket(dir, T0, { severity: 'B' });
    json(await run('--json', 'ticket', 'triage', other, '--as', AGENT));
    json(await run('--json', 'ticket', 'request-info', other, '--as', AGENT));
    const byWorker = json(await inStore(dir, at(DAY))('--json', 'ticket', 'downgrade', other, '--as', SLA_WORKER, '--reason', 'collaboration window'));
    expect(byWorker).toMatchObject({ state: 'downgraded', severity: 'C', downgradeCount: 1 });
  });

  it('accepts global options before or after the subcommand', async () => {
    const dir = tempDir();
    const id = await openTicket(dir);
    const before = json(await cli(['--json', '--now', at(HOUR), '--data', dir, 'ticket', 'note', id, '--as', AGENT, '--text', 'one']));
    const after = json(await cli(['ticket', 'note', id, '--as', AGENT, '--text', 'two', '--data', dir, '--now', at(2 * HOUR), '--json']));
    expect([before.revision, after.revision]).toEqual([1, 2]);
    expect(after.lastEventAt).toBe(at(2 * HOUR));
  });
});

describe('--command-id idempotency', () => {
  it('an open sent twice takes effect once and prints the same ticket', async () => {
    const dir = tempDir();
    const first = await inStore(dir, T0)(...openArgs(), '--command-id', 'open-42');
    const second = await inStore(dir, at(HOUR))(...openArgs(), '--command-id', 'open-42');
    expect(first).toMatchObject({ code: 0, err: [] });
    expect(second).toMatchObject({ code: 0, err: [], out: first.out });
    expect(await countEvents(dir)).toBe(1);

    const firstJson = json(await inStore(dir, at(2 * HOUR))('--json', ...openArgs(), '--command-id', 'open-43'));
    const countAfterFirst = await countEvents(dir);
    const secondJson = json(await inStore(dir, at(3 * HOUR))('--json', ...openArgs({ title: 'Changed my mind' }), '--command-id', 'open-43'));
    expect(secondJson).toEqual(firstJson);
    expect(secondJson.title).toBe('Mail flow down');
    expect(await countEvents(dir)).toBe(countAfterFirst);
  });

  it('a workflow command sent twice exits 0, prints the same ticket, and the store gains no events', async () => {
    const dir = tempDir();
    const id = await openTicket(dir);
    const note = (text: string) =>
      inStore(dir, at(HOUR))('--json', 'ticket', 'note', id, '--as', AGENT, '--text', text, '--command-id', 'note-1');
    const first = json(await note('Checking the connector'));
    const events = await countEvents(dir);
    const again = json(await note('Something else entirely'));
    expect(again).toEqual(first);
    expect(await countEvents(dir)).toBe(events);
    const history = json<HistoryJson[]>(await cli(['--data', dir, 'ticket', 'history', id, '--json']));
    expect(history.filter((h) => h.event.type === 'NoteAdded').map((h) => h.event.data)).toEqual([
      { text: 'Checking the connector', visibility: 'public' },
    ]);
  });

  it('a repeat after the ticket moved on reports the ticket as that command left it, and says nothing changed', async () => {
    const dir = tempDir();
    const id = await openTicket(dir);
    const triage = ['ticket', 'triage', id, '--as', AGENT, '--severity', 'A', '--command-id', 'triage-1'];
    const first = json(await inStore(dir, at(HOUR))('--json', ...triage));
    json(await inStore(dir, at(2 * HOUR))('--json', 'ticket', 'request-info', id, '--as', AGENT));
    const count = await countEvents(dir);

    const repeated = await inStore(dir, at(3 * HOUR))(...triage);
    expect(repeated).toMatchObject({ code: 0, err: [], out: [`${id}: triaged (severity A, revision 1) — already done, nothing changed`] });
    expect(json(await inStore(dir, at(3 * HOUR))('--json', ...triage))).toEqual(first);
    expect(await countEvents(dir)).toBe(count);
    expect(json(await inStore(dir)('--json', 'ticket', 'show', id))).toMatchObject({ state: 'awaitingCustomer', revision: 2 });
  });

  it('a command id is scoped to its ticket: the same id on another ticket is another command', async () => {
    const dir = tempDir();
    const first = await openTicket(dir);
    const second = await openTicket(dir);
    json(await inStore(dir, at(HOUR))('--json', 'ticket', 'note', first, '--as', AGENT, '--text', 'one', '--command-id', 'shared-id'));
    const before = await countEvents(dir);
    const ran = await inStore(dir, at(HOUR))('--json', 'ticket', 'note', second, '--as', AGENT, '--text', 'two', '--command-id', 'shared-id');
    expect(ran.code).toBe(0);
    expect(json(ran).revision).toBe(1);
    expect(await countEvents(dir)).toBe(before + 1);
    expect(json(await inStore(dir)('--json', 'ticket', 'show', first)).revision).toBe(1);
  });
});
