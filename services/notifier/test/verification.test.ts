import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { openSqliteFile } from '@caseflow/sqlite';
import type { VerificationCodeMessage } from '@caseflow/verification';
import { VERIFICATION_CODES_TOPIC, ensureVerificationCodesTopic, publishVerificationCode } from '@caseflow/verification';
import type { NotifierOptions } from '../src/index.js';
import { LEDGER_SCHEMA_VERSION, NotificationLedger } from '../src/index.js';
import type { World } from './support.js';
import { address, closedPort, notifierTestBed, waitFor } from './support.js';

const bed = notifierTestBed('caseflow-notifier-codes-');
const { dir, smtpConfig } = bed;

/** The notifier's clock: codes below expire ten minutes after it. */
const NOW = new Date('2026-11-02T09:00:00Z');

/** A world whose codes topic has one partition, so messages are handled in the order published. */
async function world(): Promise<{ w: World; logs: string[]; notifier: (options?: Partial<NotifierOptions>) => ReturnType<World['notifier']> }> {
  const w = await bed.world();
  await ensureVerificationCodesTopic(w.bus, 1);
  const logs: string[] = [];
  return { w, logs, notifier: (options = {}) => w.notifier({ email: smtpConfig(), now: () => NOW, log: (line) => logs.push(line), ...options }) };
}

function code(fields: Partial<VerificationCodeMessage> = {}): VerificationCodeMessage {
  return {
    verificationId: randomUUID(),
    tenant: 'contoso',
    callerPhone: '+1 212 555 0199',
    to: { name: 'Alice Admin', email: address('alice') },
    language: 'en',
    code: String(100_000 + Math.floor(Math.random() * 900_000)),
    expiresAt: '2026-11-02T09:10:00.000Z',
    requestedBy: 'sam',
    ...fields,
  };
}

/** Publishes a code to its own address and waits for its email: every message before it on the partition has been handled. */
async function barrier(w: World): Promise<void> {
  const marker = code();
  await publishVerificationCode(w.bus, marker);
  await waitFor('the marker email', () => bed.smtp.to(marker.to.email as string).length === 1);
}

describe('verification codes by email', () => {
  it('emails the code in the recipient language, with the expiry in that language', async () => {
    const { w, notifier } = await world();
    await notifier();
    const cases = [
      { language: 'de', subject: 'Bestätigungscode für einen Supportanruf im Namen von contoso', text: ['Guten Tag Alice Admin,', '+1 212 555 0199', 'gültig bis 2. November 2026 um 09:10 UTC'] },
      { language: 'zh-CN', subject: '代表 contoso 联系支持部门的验证码', text: ['Alice Admin，你好', '+1 212 555 0199', '验证码有效期至 2026年11月2日 UTC 09:10'] },
      { language: 'zh-TW', subject: '代表 contoso 與支援人員聯絡的驗證碼', text: ['驗證碼有效期限至 2026年11月2日 上午9:10 [UTC]'] },
      { language: 'pl', subject: 'Kod weryfikacyjny do zgłoszenia w imieniu contoso', text: ['Kod jest ważny do 2 listopada 2026 09:10 UTC'] },
      { language: 'en', subject: 'Verification code for a support call on behalf of contoso', text: ['It is valid until November 2, 2026 at 9:10'] },
    ].map((c) => ({ ...c, message: code({ language: c.language }) }));

    for (const { message } of cases) await publishVerificationCode(w.bus, message);

    for (const { language, subject, text, message } of cases) {
      const to = message.to.email as string;
      const [mail, ...more] = await waitFor(`the ${language} email`, () => bed.smtp.to(to).length > 0 && bed.smtp.to(to));
      expect(more).toEqual([]);
      expect(mail?.subject).toBe(subject);
      // The code stands on a line of its own; it is never in the subject.
      expect(mail?.text.split('\n')).toContain(message.code);
      expect(mail?.subject).not.toContain(message.code);
      for (const part of text) expect(mail?.text).toContain(part);
      expect(mail?.headers.get('content-language')).toBe(language);
      expect(mail?.headers.get('x-caseflow-verification-id')).toBe(message.verificationId);
      expect(mail?.headers.get('x-caseflow-ticket-id')).toBeUndefined();
      // The SMTP server has the message a moment before the notifier hears it was accepted.
      const deliveries = await waitFor('the delivery recorded', () => {
        const recorded = w.ledger.deliveries({ eventId: message.verificationId });
        return recorded[0]?.status === 'delivered' && recorded;
      });
      expect(deliveries).toEqual([
        expect.objectContaining({ verificationId: message.verificationId, ticketId: undefined, channel: 'email', recipient: to, template: 'verification.email', attempts: 1 }),
      ]);
    }
  });

  it('sends one email when the same code is published twice, and again none to a new group on the same ledger', async () => {
    const { w, notifier } = await world();
    await notifier();
    const message = code({ language: 'de' });
    const to = message.to.email as string;

    await publishVerificationCode(w.bus, message);
    await publishVerificationCode(w.bus, message);
    await barrier(w);
    expect(bed.smtp.to(to)).toHaveLength(1);

    // A new consumer group reads the topic from the beginning: the ledger still knows.
    await w.stopNotifiers();
    await notifier({ group: 'notifier-replacement' });
    await barrier(w);
    expect(bed.smtp.to(to)).toHaveLength(1);
    expect(w.ledger.deliveries({ eventId: message.verificationId })).toHaveLength(1);
  });

  it('does not send a code that has already expired', async () => {
    const { w, logs, notifier } = await world();
    await notifier();
    const expired = code({ expiresAt: NOW.toISOString() });

    await publishVerificationCode(w.bus, expired);
    await barrier(w);

    expect(bed.smtp.to(expired.to.email as string)).toEqual([]);
    expect(w.ledger.deliveries({ eventId: expired.verificationId })).toEqual([]);
    expect(logs).toContain(`the code of verification ${expired.verificationId} expired at ${expired.expiresAt}: not sending it`);
  });
});

describe('verification codes by phone', () => {
  it('becomes a callback task telling an agent to read the code to the registered number, once', async () => {
    const { w, notifier } = await world();
    const n = await notifier();
    const message = code({ tenant: 'fabrikam', language: 'pl', to: { name: 'Jan Kowalski', phone: '+48 22 555 01 23' } });

    await publishVerificationCode(w.bus, message);
    await publishVerificationCode(w.bus, message);
    await barrier(w);

    const tasks = n.listCallbackTasks({ tenant: 'fabrikam' });
    expect(tasks).toEqual([
      expect.objectContaining({
        eventId: message.verificationId,
        verificationId: message.verificationId,
        ticketId: undefined,
        tenant: 'fabrikam',
        phone: '+48 22 555 01 23',
        language: 'pl',
        status: 'open',
        subject: 'Kod weryfikacyjny dla fabrikam: zadzwoń do Jan Kowalski pod numer +48 22 555 01 23',
      }),
    ]);
    const text = tasks[0]?.text ?? '';
    expect(text).toContain('Zadzwoń do Jan Kowalski pod zarejestrowany numer +48 22 555 01 23 i odczytaj ten kod weryfikacyjny');
    expect(text.split('\n')).toContain(message.code);
    expect(text).toContain('+1 212 555 0199');
    expect(text).toContain('Kod jest ważny do 2 listopada 2026 09:10 UTC');
    expect(text).toContain('nigdy dzwoniącemu');
    expect(w.ledger.deliveries({ eventId: message.verificationId })).toEqual([
      expect.objectContaining({ channel: 'callback', recipient: '+48 22 555 01 23', status: 'delivered', template: 'verification.call' }),
    ]);

    // The agent calls and completes the task like any other.
    expect(n.completeCallbackTask(tasks[0]?.id ?? '', { by: 'kim', outcome: 'code read to Jan' })).toMatchObject({ status: 'done', completedBy: 'kim' });
  });

  it('prefers the email when the recipient has both', async () => {
    const { w, notifier } = await world();
    const n = await notifier();
    const message = code({ to: { name: 'Alice', email: address('both'), phone: '+1 212 555 0100' } });
    await publishVerificationCode(w.bus, message);
    await waitFor('the email', () => bed.smtp.to(message.to.email as string).length === 1);
    expect(n.listCallbackTasks()).toEqual([]);
  });
});

describe('failures', () => {
  it('dead-letters malformed messages as poison, never with the code in the error, and delivers the next one', async () => {
    const { w, logs, notifier } = await world();
    await notifier();
    const secret = '918273';
    const malformed = [
      `{"verificationId": "v-1", "code": "${secret}"`,
      JSON.stringify({ ...code(), code: `${secret}0` }),
      JSON.stringify({ ...code({ code: secret }), to: { name: 'Nobody' } }),
      JSON.stringify({ ...code({ code: secret }), extra: 'field' }),
    ];
    await w.bus.publish(
      VERIFICATION_CODES_TOPIC,
      malformed.map((value, i) => ({ key: `bad-${i}`, value })),
    );
    const next = code();
    await publishVerificationCode(w.bus, next);

    await waitFor('the next email', () => bed.smtp.to(next.to.email as string).length === 1);
    const letters = await waitFor('four dead letters', () => w.deadLetters.length === 4 && w.deadLetters);
    expect(letters.map((l) => [l.reason, l.attempts, l.original.topic, l.original.key])).toEqual(
      malformed.map((_, i) => ['poison', 1, VERIFICATION_CODES_TOPIC, `bad-${i}`]),
    );
    expect(letters.map((l) => l.error)).toEqual([
      'cannot decode the message: the value is not JSON',
      expect.stringMatching(/^cannot decode the message: not a verification code message: code: /),
      'cannot decode the message: not a verification code message: to: the recipient needs an email or a phone',
      expect.stringMatching(/^cannot decode the message: not a verification code message: \(root\): Unrecognized key.*extra/),
    ]);
    // The dead letter keeps the original message (code included) for inspection; the error text and the logs never hold it.
    expect(letters[0]?.original.value).toBe(malformed[0]);
    for (const text of [...letters.map((l) => l.error), ...logs]) expect(text).not.toContain(secret);
  });

  it('retries an unreachable SMTP server with backoff, then dead-letters the code as delivery_failed', async () => {
    const { w, logs, notifier } = await world();
    const waits: number[] = [];
    await notifier({
      email: { kind: 'smtp', host: '127.0.0.1', port: await closedPort(), ignoreTLS: true, connectionTimeoutMs: 2_000 },
      maxAttempts: 3,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    const message = code();

    await publishVerificationCode(w.bus, message);

    const [letter] = await waitFor('the dead letter', () => w.deadLetters.length === 1 && w.deadLetters);
    expect(waits).toEqual([500, 1000]);
    expect(letter).toMatchObject({
      reason: 'delivery_failed',
      attempts: 3,
      notification: { eventId: message.verificationId, verificationId: message.verificationId, channel: 'email', recipient: message.to.email, template: 'verification.email' },
    });
    expect(letter?.notification?.ticketId).toBeUndefined();
    expect(w.ledger.deliveries({ eventId: message.verificationId })).toEqual([expect.objectContaining({ status: 'dead', attempts: 3 })]);
    for (const text of [letter?.error ?? '', ...logs]) expect(text).not.toContain(message.code);
  });
});

describe('the ledger upgraded from version 1', () => {
  it('keeps its deliveries and callback tasks and takes verification codes', () => {
    // Given a ledger written by the notifier before verification codes (schema version 1)
    const file = join(dir, `${randomUUID()}.db`);
    const { db } = openSqliteFile(file);
    db.exec(`
      CREATE TABLE notifier_schema (version INTEGER NOT NULL);
      INSERT INTO notifier_schema (version) VALUES (1);
      CREATE TABLE notifier_tickets (ticket_id TEXT PRIMARY KEY, revision INTEGER, profile TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE notifier_deliveries (
        id TEXT NOT NULL UNIQUE, event_id TEXT NOT NULL, recipient TEXT NOT NULL, channel TEXT NOT NULL, ticket_id TEXT NOT NULL,
        tenant TEXT NOT NULL, audience TEXT NOT NULL, template TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, delivered_at TEXT, PRIMARY KEY (event_id, recipient, channel));
      CREATE INDEX notifier_deliveries_by_ticket ON notifier_deliveries (ticket_id);
      CREATE INDEX notifier_deliveries_by_status ON notifier_deliveries (status);
      CREATE TABLE notifier_callback_tasks (
        id TEXT PRIMARY KEY, event_id TEXT NOT NULL, ticket_id TEXT NOT NULL, tenant TEXT NOT NULL, phone TEXT NOT NULL, language TEXT NOT NULL,
        subject TEXT NOT NULL, text TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, completed_at TEXT, completed_by TEXT, outcome TEXT);
      CREATE INDEX notifier_callback_tasks_by_tenant ON notifier_callback_tasks (tenant, status, created_at);
      INSERT INTO notifier_deliveries VALUES ('n1', 'e1', 'alice@contoso.example', 'email', 't1', 'contoso', 'customer', 'customer.TicketOpened', 'delivered', 1, NULL, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
      INSERT INTO notifier_deliveries VALUES ('n2', 'e1', '+1 212 555 0100', 'callback', 't1', 'contoso', 'customer', 'customer.TicketOpened', 'delivered', 1, NULL, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
      INSERT INTO notifier_callback_tasks VALUES ('n2', 'e1', 't1', 'contoso', '+1 212 555 0100', 'en', 'S', 'T', 'open', '2026-11-01T00:00:00.000Z', NULL, NULL, NULL);`);
    db.close();

    // When the notifier opens it
    const ledger = new NotificationLedger(file);
    try {
      // Then everything is still there, as it was
      expect(ledger.deliveries().map((d) => [d.id, d.ticketId, d.verificationId, d.status])).toEqual([
        ['n1', 't1', undefined, 'delivered'],
        ['n2', 't1', undefined, 'delivered'],
      ]);
      expect(ledger.listCallbackTasks({ ticketId: 't1' })).toEqual([expect.objectContaining({ id: 'n2', ticketId: 't1', verificationId: undefined, status: 'open' })]);
      // and a verification code's delivery, which has no ticket, can be recorded
      const intent = { id: 'n3', eventId: 'v1', recipient: '+1 212 555 0101', channel: 'callback' as const, verificationId: 'v1', tenant: 'contoso', audience: 'customer' as const, template: 'verification.call' };
      expect(ledger.intend(intent, NOW)).toMatchObject({ verificationId: 'v1', ticketId: undefined, status: 'pending' });
      ledger.deliverCallback(intent, { phone: intent.recipient, language: 'en', subject: 'S', text: 'T' }, NOW);
      expect(ledger.listCallbackTasks({ tenant: 'contoso' }).map((t) => [t.id, t.ticketId, t.verificationId])).toEqual([
        ['n2', 't1', undefined],
        ['n3', undefined, 'v1'],
      ]);
    } finally {
      ledger.close();
    }
    const reopened = openSqliteFile(file).db;
    expect(reopened.prepare('SELECT version FROM notifier_schema').pluck().get()).toBe(LEDGER_SCHEMA_VERSION);
    reopened.close();
  });

  it('refuses a delivery that is about neither a ticket nor a verification, and stores nothing', () => {
    const ledger = new NotificationLedger(join(dir, `${randomUUID()}.db`));
    try {
      const intent = { id: 'n1', eventId: 'e1', recipient: 'x@contoso.example', channel: 'email' as const, tenant: 'contoso', audience: 'customer' as const, template: undefined };
      expect(() => ledger.intend(intent, NOW)).toThrow(/CHECK constraint failed/);
      expect(ledger.deliveries()).toEqual([]);
    } finally {
      ledger.close();
    }
  });
});
