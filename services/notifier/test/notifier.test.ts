import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { WebhookPayload } from '../src/index.js';
import { NotificationLedger, TICKET_EVENTS_TOPIC, verifyWebhookSignature } from '../src/index.js';
import { address, agent, closedPort, notifierTestBed, parseMail, slaTimer, waitFor } from './support.js';

const bed = notifierTestBed('caseflow-notifier-');
const { dir, smtpConfig, world } = bed;

describe('customer notifications', () => {
  it('emails each customer in their language, with the date in their zone and locale', async () => {
    const w = await world();
    await w.notifier({ email: smtpConfig() });
    const customers = [
      { language: 'en', region: 'US', expect: { subject: 'We have received your service request', date: ['November 2, 2026', '4:00', 'EST'] } },
      { language: 'de', region: 'DE', expect: { subject: 'Wir haben Ihre Serviceanfrage erhalten', date: ['2. November 2026', '10:00', 'MEZ'] } },
      { language: 'pl', region: 'PL', expect: { subject: 'Otrzymaliśmy Twoje żądanie usługi', date: ['2 listopada 2026', '10:00', 'CET'] } },
      { language: 'zh-CN', region: 'CN', expect: { subject: '我们已收到你的服务请求', date: ['2026年11月2日', '17:00', 'GMT+8'] } },
      { language: 'zh-TW', region: 'TW', expect: { subject: '我們已收到您的服務要求', date: ['2026年11月2日', '下午5:00', 'GMT+8'] } },
    ].map((c) => ({ ...c, email: address(c.language) }));

    const opened = new Map<string, { ticketId: string; eventId: string }>();
    for (const customer of customers) {
      w.now = Date.parse('2026-11-02T09:00:00Z');
      const { ticketId, records } = await w.open({
        region: customer.region,
        language: customer.language,
        title: `Mail flow down (${customer.language})`,
        contact: { email: customer.email, preferred: 'email' },
      });
      opened.set(customer.email, { ticketId, eventId: (records[0] as { id: string }).id });
    }

    for (const customer of customers) {
      const [mail] = await waitFor(`the email to ${customer.email}`, () => bed.smtp.to(customer.email).length === 1 && bed.smtp.to(customer.email));
      const { ticketId, eventId } = opened.get(customer.email) as { ticketId: string; eventId: string };
      expect(mail?.subject).toContain(customer.expect.subject);
      expect(mail?.subject).toContain(`Mail flow down (${customer.language})`);
      for (const part of customer.expect.date) expect(mail?.text).toContain(part);
      expect(mail?.text).toContain(ticketId);
      expect(mail?.headers.get('content-language')).toBe(customer.language);
      expect(mail?.headers.get('message-id')).toContain(eventId);
      expect(mail?.headers.get('x-caseflow-event-id')).toBe(eventId);
    }
    // A variant of a template language keeps its own date format; another language falls back to English.
    const austrian = address('at');
    w.now = Date.parse('2026-01-15T09:00:00Z');
    await w.open({ region: 'DE', language: 'de-AT', contact: { email: austrian, preferred: 'email' } });
    const french = address('fr');
    await w.open({ region: 'FR', language: 'fr', contact: { email: french, preferred: 'email' } });
    const [at] = await waitFor('the Austrian email', () => bed.smtp.to(austrian).length === 1 && bed.smtp.to(austrian));
    expect(at?.text).toContain('15. Jänner 2026 um 10:00');
    const [fr] = await waitFor('the French email', () => bed.smtp.to(french).length === 1 && bed.smtp.to(french));
    expect(fr?.subject).toContain('We have received your service request');
    expect(fr?.text).toContain('January 15, 2026 at 9:01');
    expect(fr?.text).toContain('UTC');
  });

  it('turns a phone contact into a callback task that agents can list and complete', async () => {
    const w = await world();
    const notifier = await w.notifier({ email: smtpConfig() });
    const { ticketId } = await w.open({
      tenant: 'fabrikam',
      region: 'PL',
      language: 'pl',
      contact: { phone: '+48 22 555 01 23', email: address('unused'), preferred: 'phone' },
    });
    const [task] = await waitFor('a callback task', () => notifier.listCallbackTasks({ tenant: 'fabrikam' }).length === 1 && notifier.listCallbackTasks({ tenant: 'fabrikam' }));
    expect(task).toMatchObject({ ticketId, tenant: 'fabrikam', phone: '+48 22 555 01 23', language: 'pl', status: 'open' });
    expect(task?.subject).toContain('Otrzymaliśmy Twoje żądanie usługi');
    expect(task?.text).toContain('2 listopada 2026 10:00 CET');
    expect(notifier.listCallbackTasks({ tenant: 'contoso' })).toEqual([]);

    const done = notifier.completeCallbackTask(task?.id ?? '', { by: 'sam', outcome: 'reached the customer' });
    expect(done).toMatchObject({ status: 'done', completedBy: 'sam', outcome: 'reached the customer' });
    expect(notifier.listCallbackTasks({ tenant: 'fabrikam', status: 'open' })).toEqual([]);
    expect(notifier.listCallbackTasks({ status: 'done' })).toHaveLength(1);
    // Completing again changes nothing.
    expect(notifier.completeCallbackTask(task?.id ?? '', { by: 'kim' })?.completedBy).toBe('sam');
  });
});

describe('agents and supervisors', () => {
  it('tells the owner about assignments, notes and replies, and the duty supervisor about a breach', async () => {
    const w = await world();
    const kim = address('kim');
    const sam = address('sam');
    const supervisor = address('duty');
    const customer = address('customer');
    await w.notifier({
      email: smtpConfig(),
      directory: { agents: { kim: { email: kim, name: 'Kim' }, sam: { email: sam, language: 'de', zone: 'Europe/Berlin' } }, dutySupervisor: { email: supervisor } },
    });
    const { ticketId } = await w.open({ contact: { email: customer, preferred: 'email' } });
    // sam triages and takes it: nobody tells sam what sam did.
    await w.act({ type: 'triage', ticketId, actor: agent('sam'), owner: 'sam', text: 'Looking into it' });
    // kim hands it back to sam: sam hears, in German, in Berlin time.
    await w.act({ type: 'assign', ticketId, actor: agent('kim'), owner: 'sam' });
    const [assigned] = await waitFor('the assignment email', () => bed.smtp.to(sam).length === 1 && bed.smtp.to(sam));
    expect(assigned?.subject).toContain('Ihnen zugewiesen: Mail flow down');
    expect(assigned?.text).toContain('Hallo sam,');
    expect(assigned?.text).toContain('2. November 2026 um 10:02 MEZ');

    // A supervisor moves it to kim, who hears about notes by others and the customer's replies.
    await w.act({ type: 'assign', ticketId, actor: { id: 'lee', role: 'supervisor', tenant: 'support' }, owner: 'kim' });
    await w.act({ type: 'note', ticketId, actor: agent('sam'), text: 'Connector logs attached', visibility: 'internal' });
    await w.act({ type: 'request-info', ticketId, actor: agent('kim'), text: 'Please send a message trace' });
    await w.act({ type: 'customer-reply', ticketId, actor: { id: 'alice', role: 'customer-admin', tenant: 'contoso' }, text: 'Trace attached' });
    await waitFor('three emails to kim', () => bed.smtp.to(kim).length === 3);
    expect(bed.smtp.to(kim).map((m) => m.subject)).toEqual([
      `[${ticketId}] Assigned to you: Mail flow down`,
      `[${ticketId}] New note: Mail flow down`,
      `[${ticketId}] Customer replied: Mail flow down`,
    ]);
    expect(bed.smtp.to(kim)[1]?.text).toContain('sam added a note to the service request "Mail flow down" (contoso) on November 2, 2026 at 9:04');
    expect(bed.smtp.to(kim)[1]?.text).toContain('UTC (internal):');
    expect(bed.smtp.to(kim)[2]?.text).toContain('Trace attached');
    // The customer heard about the open, the triage and the request for information, not the internal note.
    await waitFor('three emails to the customer', () => bed.smtp.to(customer).length === 3);
    expect(bed.smtp.to(customer)[2]?.text).toContain('Please send a message trace');

    // The SLA timer warns (owner only), then reports the breach (owner and duty supervisor).
    await w.act({ type: 'escalate', ticketId, actor: slaTimer, level: 1, clock: 'resolution', reason: '75% of the target used' });
    await waitFor('the warning', () => bed.smtp.to(kim).length === 4);
    expect(bed.smtp.to(kim)[3]?.subject).toContain('SLA warning');
    expect(bed.smtp.to(supervisor)).toEqual([]);
    await w.act({ type: 'escalate', ticketId, actor: slaTimer, level: 2, clock: 'resolution', reason: 'target breached' });
    const [breach] = await waitFor('the breach email to the supervisor', () => bed.smtp.to(supervisor).length === 1 && bed.smtp.to(supervisor));
    expect(breach?.subject).toBe(`[${ticketId}] SLA breach: Mail flow down (contoso)`);
    expect(breach?.text).toContain('(escalation level 2)');
    expect(breach?.text).toContain('Owner: Kim');
    await waitFor('the breach email to the owner', () => bed.smtp.to(kim).length === 5);
    expect(bed.smtp.to(kim)[4]?.subject).toContain('SLA breached');
    expect(bed.smtp.to(customer)).toHaveLength(3);
  });
});

describe('tenant webhooks', () => {
  it('posts each event signed with the tenant secret, retrying with backoff until it is accepted', async () => {
    const w = await world();
    const secret = 'whsec_contoso_0123456789';
    const delays: number[] = [];
    const before = bed.hooks.requests.length;
    bed.hooks.answers.push(500, 503);
    await w.notifier({
      email: smtpConfig(),
      directory: { tenants: { contoso: { webhooks: [{ url: bed.hooks.url, secret }] } } },
      backoff: { initialDelayMs: 100, maxDelayMs: 150 },
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });
    const { ticketId, records } = await w.open({ contact: { email: address('hook'), preferred: 'email' } });
    await waitFor('three webhook requests', () => bed.hooks.requests.length === before + 3);
    const attempts = bed.hooks.requests.slice(before);
    expect(attempts.map((r) => r.status)).toEqual([500, 503, 204]);
    expect(delays).toEqual([100, 150]);
    // Every attempt carries the same delivery id and body.
    expect(new Set(attempts.map((r) => r.headers['x-caseflow-delivery'])).size).toBe(1);
    const request = attempts[2];
    const payload = JSON.parse(request?.body ?? '{}') as WebhookPayload;
    expect(payload).toMatchObject({ eventId: records[0]?.id, type: 'TicketOpened', ticketId, tenant: 'contoso', revision: 0 });
    expect(request?.headers['x-caseflow-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const signed = { body: request?.body ?? '', signature: request?.headers['x-caseflow-signature'], timestamp: request?.headers['x-caseflow-timestamp'] };
    expect(verifyWebhookSignature({ ...signed, secret })).toBe(true);
    expect(verifyWebhookSignature({ ...signed, secret: 'whsec_someone_else_000' })).toBe(false);
    expect(verifyWebhookSignature({ ...signed, body: `${signed.body} ` , secret })).toBe(false);
    await waitFor('the webhook in the ledger', () => w.ledger.delivery(records[0]?.id ?? '', bed.hooks.url, 'webhook')?.status === 'delivered');
    expect(w.ledger.delivery(records[0]?.id ?? '', bed.hooks.url, 'webhook')).toMatchObject({ status: 'delivered', attempts: 3 });

    // Internal notes stay inside: no webhook for them.
    const [note] = await w.act({ type: 'note', ticketId, actor: agent('sam'), text: 'internal only', visibility: 'internal' });
    await w.act({ type: 'note', ticketId, actor: agent('sam'), text: 'for the customer' });
    await waitFor('the public note webhook', () => bed.hooks.requests.length === before + 4);
    expect(bed.hooks.requests.slice(before + 3).map((r) => (JSON.parse(r.body) as WebhookPayload).type)).toEqual(['NoteAdded']);
    expect(w.ledger.deliveries({ eventId: note?.id ?? '' })).toEqual([]);
  });
});

describe('failures', () => {
  it('retries a failing SMTP server with exponential backoff, then dead-letters the notification with the error', async () => {
    const w = await world();
    const delays: number[] = [];
    const port = await closedPort();
    await w.notifier({
      email: { kind: 'smtp', host: '127.0.0.1', port, ignoreTLS: true },
      directory: { tenants: { contoso: { webhooks: [{ url: bed.hooks.url, secret: 'whsec_contoso_0123456789' }] } } },
      maxAttempts: 4,
      backoff: { initialDelayMs: 200, maxDelayMs: 10_000 },
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });
    const email = address('down');
    const before = bed.hooks.requests.length;
    const { ticketId, records } = await w.open({ contact: { email, preferred: 'email' } });
    const [letter] = await waitFor('the dead letter', () => w.deadLetters.length === 1 && w.deadLetters);
    expect(letter).toMatchObject({
      reason: 'delivery_failed',
      attempts: 4,
      notification: { eventId: records[0]?.id, ticketId, channel: 'email', recipient: email, audience: 'customer', template: 'customer.TicketOpened' },
      original: { topic: TICKET_EVENTS_TOPIC, key: ticketId, headers: { caseflow_revision: '0' } },
    });
    expect(letter?.error).toMatch(/ECONNREFUSED/);
    expect(JSON.parse(Buffer.from(letter?.original.valueBase64 ?? '', 'base64').toString('utf8'))).toMatchObject({ id: records[0]?.id, type: 'TicketOpened' });
    expect(delays).toEqual([200, 400, 800]);
    expect(w.ledger.delivery(records[0]?.id ?? '', email, 'email')).toMatchObject({ status: 'dead', attempts: 4, lastError: expect.stringMatching(/ECONNREFUSED/) });
    // The event's other notification went out regardless, and the partition moves on.
    expect(bed.hooks.requests.length).toBeGreaterThanOrEqual(before + 1);
    await w.act({ type: 'triage', ticketId, actor: agent('sam') });
    await waitFor('the second dead letter', () => w.deadLetters.length === 2);
  });

  it('dead-letters a poison message and still delivers the next message on its partition', async () => {
    const w = await world();
    await w.notifier({ email: smtpConfig() });
    const email = address('poison');
    const ticketId = 'ticket-after-poison';
    await w.bus.publish(TICKET_EVENTS_TOPIC, [
      { key: ticketId, value: '{"id": "not json', headers: { caseflow_revision: '0' } },
      { key: ticketId, value: JSON.stringify({ id: 'x', type: 'TicketExploded', version: 1 }) },
    ]);
    await w.open({ ticketId, contact: { email, preferred: 'email' } });
    await waitFor('the email after the poison', () => bed.smtp.to(email).length === 1);
    await waitFor('two dead letters', () => w.deadLetters.length === 2);
    expect(w.deadLetters.map((l) => l.reason)).toEqual(['poison', 'poison']);
    expect(w.deadLetters[0]).toMatchObject({ attempts: 1, original: { key: ticketId, value: '{"id": "not json' } });
    expect(w.deadLetters[0]?.error).toContain('cannot decode the message');
    expect(w.deadLetters[1]?.error).toContain('unknown event type TicketExploded');
  });
});

describe('exactly once per recipient', () => {
  it('sends one email when the bus delivers the same event twice', async () => {
    const w = await world();
    await w.notifier({ email: smtpConfig() });
    const email = address('twice');
    const { ticketId, records } = await w.open({ contact: { email, preferred: 'email' } });
    await w.publish(records); // the relay repeated itself
    await w.act({ type: 'triage', ticketId, actor: agent('sam') });
    await waitFor('the triage email', () => bed.smtp.to(email).length === 2);
    await new Promise((done) => setTimeout(done, 100));
    expect(bed.smtp.to(email).map((m) => m.subject)).toEqual([
      `[${ticketId}] We have received your service request: Mail flow down`,
      `[${ticketId}] A support engineer is working on your request`,
    ]);
  });

  it('keeps its ledger and ticket profiles across a restart, even when every message comes again', async () => {
    const w = await world();
    await w.notifier({ email: smtpConfig() });
    const email = address('restart');
    const { ticketId } = await w.open({ contact: { email, preferred: 'phone', phone: '+1 212 555 0100' } });
    await waitFor('the callback task', () => w.ledger.listCallbackTasks({ ticketId }).length === 1);
    await w.stopNotifiers();
    w.ledger.close();

    // A new process: new ledger connection, and a new group that replays the topic from the start.
    w.ledger = new NotificationLedger(w.file);
    await w.notifier({ email: smtpConfig(), group: 'notifier-after-restart' });
    await w.act({ type: 'triage', ticketId, actor: agent('sam') });
    await waitFor('the triage callback task', () => w.ledger.listCallbackTasks({ ticketId }).length === 2);
    await new Promise((done) => setTimeout(done, 100));
    const tasks = w.ledger.listCallbackTasks({ ticketId });
    expect(tasks.map((t) => t.subject)).toEqual([
      `[${ticketId}] We have received your service request: Mail flow down`,
      `[${ticketId}] A support engineer is working on your request`,
    ]);
    expect(w.ledger.deliveries({ ticketId }).map((d) => [d.template, d.status, d.attempts])).toEqual([
      ['customer.TicketOpened', 'delivered', 1],
      ['customer.TicketTriaged', 'delivered', 1],
    ]);
  });
});

describe('tickets the notifier has not seen open', () => {
  it('reads the ticket from the event store when given one, and dead-letters the event otherwise', async () => {
    const w = await world();
    // Opened before any notifier existed and never published (lost, or older than the topic's retention).
    const ticketId = 'opened-before-the-notifier';
    await w.run({
      type: 'open', ticketId, actor: { id: 'alice', role: 'customer-admin', tenant: 'contoso' }, tenant: 'contoso', plan: 'enterprise', region: 'GB',
      category: 'technical', severity: 'B', title: 'Teams calls drop', contact: { email: address('unused'), preferred: 'email' }, language: 'en',
    });
    const blind = await w.notifier({ email: smtpConfig(), group: 'blind' });
    await w.act({ type: 'triage', ticketId, actor: agent('sam') });
    const [letter] = await waitFor('the unknown-ticket dead letter', () => w.deadLetters.length === 1 && w.deadLetters);
    expect(letter).toMatchObject({ reason: 'unknown_ticket', original: { key: ticketId, headers: { caseflow_revision: '1' } } });
    await blind.stop();

    const email = address('history');
    const ledger = w.ledger;
    expect(ledger.profile(ticketId)).toBeUndefined();
    const second = ticketId.replace('before', 'long-before');
    await w.run({
      type: 'open', ticketId: second, actor: { id: 'alice', role: 'customer-admin', tenant: 'contoso' }, tenant: 'contoso', plan: 'enterprise', region: 'GB',
      category: 'technical', severity: 'B', title: 'Teams calls drop', contact: { email, preferred: 'email' }, language: 'en',
    });
    await w.notifier({ email: smtpConfig(), group: 'with-history', history: w.store });
    await w.act({ type: 'triage', ticketId: second, actor: agent('sam') });
    const [mail] = await waitFor('the triage email', () => bed.smtp.to(email).length === 1 && bed.smtp.to(email));
    expect(mail?.subject).toBe(`[${second}] A support engineer is working on your request`);
    expect(mail?.text).toContain('GMT'); // Europe/London in November
    expect(ledger.profile(second)).toMatchObject({ revision: 1, profile: { region: 'GB', contact: { email } } });
  });
});

describe('lifecycle', () => {
  it('stops without waiting out a backoff, and a restarted notifier goes on counting the attempts', async () => {
    const w = await world();
    const port = await closedPort();
    const email = address('stop');
    const first = await w.notifier({ email: { kind: 'smtp', host: '127.0.0.1', port, ignoreTLS: true }, backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 }, sleep: undefined });
    const { records } = await w.open({ contact: { email, preferred: 'email' } });
    const eventId = records[0]?.id ?? '';
    await waitFor('the first failed attempt', () => w.ledger.delivery(eventId, email, 'email')?.status === 'failed');
    const stopping = Date.now();
    await first.stop();
    expect(Date.now() - stopping).toBeLessThan(2_000);

    await w.notifier({ email: smtpConfig() });
    await waitFor('the email', () => bed.smtp.to(email).length === 1);
    await waitFor('the email in the ledger', () => w.ledger.delivery(eventId, email, 'email')?.status === 'delivered');
    expect(w.ledger.delivery(eventId, email, 'email')).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('dead-letters a message whose handling keeps failing, after the bus retried it maxAttempts times', async () => {
    const w = await world();
    let reads = 0;
    await w.notifier({
      email: smtpConfig(),
      maxAttempts: 3,
      busRetry: { initialDelayMs: 1, maxDelayMs: 1 },
      history: {
        readStream: () => {
          reads += 1;
          return Promise.reject(new Error('event store unavailable'));
        },
      },
    });
    await w.bus.publish(TICKET_EVENTS_TOPIC, [
      {
        key: 'never-opened',
        value: JSON.stringify({
          id: '6f1c7a3e-8a3b-4c55-9d6e-1a2b3c4d5e6f', type: 'NoteAdded', version: 1, ticketId: 'never-opened', occurredAt: '2026-11-02T09:00:00Z',
          actor: { id: 'sam', role: 'agent', tenant: 'support' }, commandId: 'c1', correlationId: 'c1', causationId: 'c1', data: { text: 'hello', visibility: 'public' },
        }),
        headers: { caseflow_revision: '3' },
      },
    ]);
    const [letter] = await waitFor('the dead letter', () => w.deadLetters.length === 1 && w.deadLetters);
    expect(letter).toMatchObject({ reason: 'handler_failed', attempts: 3, error: 'event store unavailable', original: { key: 'never-opened' } });
    expect(reads).toBe(3);
  });

  it('does not notify about events older than maxEventAgeMs', async () => {
    const w = await world();
    await w.notifier({ email: smtpConfig(), maxEventAgeMs: 24 * 3600_000, now: () => new Date('2026-12-01T12:00:00Z') });
    const stale = address('stale');
    const fresh = address('fresh');
    const { ticketId } = await w.open({ contact: { email: stale, preferred: 'email' } });
    w.now = Date.parse('2026-12-01T09:00:00Z');
    await w.open({ contact: { email: fresh, preferred: 'email' } });
    await waitFor('the fresh email', () => bed.smtp.to(fresh).length === 1);
    expect(bed.smtp.to(stale)).toEqual([]);
    expect(w.ledger.deliveries({ ticketId })).toEqual([]);
  });

  it('writes .eml files to the outbox in embedded mode, one per notification', async () => {
    const w = await world();
    const outbox = join(dir, `outbox-${Math.random().toString(36).slice(2)}`);
    await w.notifier({ email: { kind: 'outbox', dir: outbox } });
    const email = address('outbox');
    const { records } = await w.open({ region: 'TW', language: 'zh-TW', contact: { email, preferred: 'email' } });
    const files = await waitFor('the .eml file', () => {
      const names = existsSync(outbox) ? readdirSync(outbox) : [];
      return names.length === 1 && names;
    });
    expect(files[0]).toMatch(/^[0-9a-f]{32}\.eml$/);
    const mail = parseMail(readFileSync(join(outbox, files[0] ?? ''), 'latin1'));
    expect(mail.headers.get('to')).toBe(email);
    expect(mail.subject).toContain('我們已收到您的服務要求');
    expect(mail.text).toContain('2026年11月2日 下午5:00 [GMT+8]');
    await w.publish(records);
    await w.act({ type: 'triage', ticketId: String(records[0]?.metadata.ticketId), actor: agent('sam') });
    await waitFor('the second .eml file', () => readdirSync(outbox).length === 2);
  });
});
