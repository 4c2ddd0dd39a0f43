import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { openInProcessBus } from '@caseflow/bus';
import { openSqliteFile } from '@caseflow/sqlite';
import type { ConfirmOutcome, PhoneVerificationsOptions } from '../src/index.js';
import { PhoneVerifications, VERIFICATION_CODES_TOPIC, ensureVerificationCodesTopic, publishVerificationCode } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'caseflow-verification-'));
const opened: PhoneVerifications[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2026-11-02T09:00:00Z');
const MINUTE = 60_000;
const CALLER = '+1 212 555 0100';

/** A store on its own file (or a given one) with a clock the test moves. */
function world(options: Partial<PhoneVerificationsOptions> = {}) {
  const clock = { now: T0 };
  const file = options.file ?? join(dir, `${randomUUID()}.db`);
  const open = (more: Partial<PhoneVerificationsOptions> = {}) => {
    const store = new PhoneVerifications({ now: () => new Date(clock.now), ...options, ...more, file });
    opened.push(store);
    return store;
  };
  return { clock, file, store: open(), open };
}

const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

function rows(file: string): Record<string, unknown>[] {
  const { db } = openSqliteFile(file);
  try {
    return db.prepare<[], Record<string, unknown>>('SELECT * FROM phone_verifications').all();
  } finally {
    db.close();
  }
}

describe('requesting and confirming', () => {
  it('confirms the code that was sent, once', () => {
    const { clock, store } = world();
    const { verification, code } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });
    expect(code).toMatch(/^[0-9]{6}$/);
    expect(verification).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      tenant: 'contoso',
      phone: CALLER,
      status: 'pending',
      requestedBy: 'sam',
      createdAt: '2026-11-02T09:00:00.000Z',
      expiresAt: '2026-11-02T09:10:00.000Z',
      attemptsLeft: 5,
    });

    clock.now += 3 * MINUTE;
    const outcome = store.confirm(verification.id, code, 'kim');

    expect(outcome).toEqual({
      ok: true,
      verification: { ...verification, status: 'confirmed', confirmedAt: '2026-11-02T09:03:00.000Z', confirmedBy: 'kim' },
    });
    expect(store.get(verification.id)?.status).toBe('confirmed');
    expect(store.confirm(verification.id, code, 'kim')).toMatchObject({ ok: false, reason: 'already_confirmed', attemptsLeft: 5 });
  });

  it('a code requested through one instance is confirmed through another on the same file', () => {
    const { store, open } = world();
    const { verification, code } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });
    expect(open().confirm(verification.id, code, 'sam')).toMatchObject({ ok: true });
    expect(store.get(verification.id)?.status).toBe('confirmed');
  });

  it('counts wrong codes down, and after the fifth even the right code is refused', () => {
    const { store } = world();
    const { verification, code } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });
    const wrong = otherCode(code);

    const outcomes = [1, 2, 3, 4, 5].map(() => store.confirm(verification.id, wrong, 'sam'));

    expect(outcomes.map((o) => [o.ok, !o.ok && o.reason, o.ok || o.attemptsLeft, o.verification?.status])).toEqual([
      [false, 'wrong_code', 4, 'pending'],
      [false, 'wrong_code', 3, 'pending'],
      [false, 'wrong_code', 2, 'pending'],
      [false, 'wrong_code', 1, 'pending'],
      [false, 'wrong_code', 0, 'locked'],
    ]);
    expect(store.confirm(verification.id, code, 'sam')).toMatchObject({ ok: false, reason: 'locked', attemptsLeft: 0, verification: { status: 'locked' } });
    expect(store.get(verification.id)).toMatchObject({ status: 'locked', attemptsLeft: 0 });
    expect(store.usableFor(verification.id, 'contoso')).toBeUndefined();
  });

  it('a right code after wrong ones still confirms while attempts are left', () => {
    const { store } = world();
    const { verification, code } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });
    store.confirm(verification.id, otherCode(code), 'sam');
    expect(store.confirm(verification.id, code, 'sam')).toMatchObject({ ok: true, verification: { status: 'confirmed', attemptsLeft: 4 } });
  });

  it('expires at exactly ten minutes: the right code is refused from then on', () => {
    const { clock, store } = world();
    const { verification, code } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });

    clock.now = T0 + 10 * MINUTE - 1;
    expect(store.get(verification.id)?.status).toBe('pending');
    clock.now = T0 + 10 * MINUTE;
    expect(store.get(verification.id)?.status).toBe('expired');
    expect(store.confirm(verification.id, code, 'sam')).toMatchObject({ ok: false, reason: 'expired', attemptsLeft: 5, verification: { status: 'expired' } });
    // A wrong code after expiry is not counted either.
    expect(store.confirm(verification.id, otherCode(code), 'sam')).toMatchObject({ ok: false, reason: 'expired', attemptsLeft: 5 });
  });

  it('honours ttlMs and maxAttempts', () => {
    const { clock, store } = world({ ttlMs: 2 * MINUTE, maxAttempts: 2 });
    const { verification, code } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });
    expect(verification).toMatchObject({ expiresAt: '2026-11-02T09:02:00.000Z', attemptsLeft: 2 });
    store.confirm(verification.id, otherCode(code), 'sam');
    expect(store.confirm(verification.id, otherCode(code), 'sam')).toMatchObject({ reason: 'wrong_code', verification: { status: 'locked' } });
    clock.now += 2 * MINUTE;
    // Locked stays locked, rather than turning into expired.
    expect(store.get(verification.id)?.status).toBe('locked');
  });

  it('an unknown id is not_found', () => {
    const { store } = world();
    expect(store.confirm(randomUUID(), '123456', 'sam')).toEqual({ ok: false, reason: 'not_found', attemptsLeft: 0 });
    expect(store.get(randomUUID())).toBeUndefined();
  });
});

describe('using a confirmed verification', () => {
  it('is usable only when confirmed, only for its tenant, and only within the hour after confirming', () => {
    const { clock, store } = world();
    const { verification, code } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });
    expect(store.usableFor(verification.id, 'contoso')).toBeUndefined();

    clock.now += 5 * MINUTE;
    store.confirm(verification.id, code, 'sam');

    expect(store.usableFor(verification.id, 'contoso')).toMatchObject({ id: verification.id, status: 'confirmed' });
    expect(store.usableFor(verification.id, 'fabrikam')).toBeUndefined();
    expect(store.usableFor(randomUUID(), 'contoso')).toBeUndefined();
    // The code's own expiry does not end a confirmed verification...
    clock.now = T0 + 5 * MINUTE + 60 * MINUTE - 1;
    expect(store.usableFor(verification.id, 'contoso')?.status).toBe('confirmed');
    // ...the confirmed window does.
    clock.now += 1;
    expect(store.usableFor(verification.id, 'contoso')).toBeUndefined();
  });

  it('honours confirmedForMs', () => {
    const { clock, store } = world({ confirmedForMs: MINUTE });
    const { verification, code } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });
    store.confirm(verification.id, code, 'sam');
    clock.now += MINUTE;
    expect(store.usableFor(verification.id, 'contoso')).toBeUndefined();
  });
});

describe('what is stored', () => {
  it('keeps no trace of the code in plain text: not in any column, not anywhere in the file', () => {
    // A code that appears nowhere else in the file (no timestamp or id holds these digits in a row).
    const secret = '758316';
    const { file, store } = world({ randomCode: () => secret });
    const { verification, code } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });
    expect(code).toBe(secret);
    store.confirm(verification.id, otherCode(secret), 'sam');

    const [row, ...others] = rows(file);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ id: verification.id, attempts_left: 4 });
    const columns = Object.entries(row ?? {});
    expect(columns.length).toBeGreaterThan(5);
    for (const [column, value] of columns) {
      const text = Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
      expect([column, text.includes(secret)]).toEqual([column, false]);
      if (Buffer.isBuffer(value)) expect([column, value.toString('hex').includes(secret)]).toEqual([column, false]);
    }
    expect(row?.code_hash).toBeInstanceOf(Buffer);
    expect((row?.code_hash as Buffer).length).toBe(32);
    expect((row?.code_salt as Buffer).length).toBe(16);
    store.close();
    for (const path of [file, `${file}-wal`].filter(existsSync)) expect(readFileSync(path).includes(secret)).toBe(false);
  });

  it('salts each code: the same code twice gives two different hashes', () => {
    const { file, store } = world({ randomCode: () => '111111' });
    store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });
    store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });
    const [first, second] = rows(file);
    expect(first?.code_hash).not.toEqual(second?.code_hash);
    expect(first?.code_salt).not.toEqual(second?.code_salt);
  });
});

describe('bad input', () => {
  it.each([
    ['a phone with letters', { tenant: 'contoso', phone: 'call me maybe', requestedBy: 'sam' }, /phone number is digits/],
    ['a phone too short', { tenant: 'contoso', phone: '+1 23', requestedBy: 'sam' }, /phone number is digits/],
    ['no tenant', { tenant: ' ', phone: CALLER, requestedBy: 'sam' }, /tenant is required/],
    ['no agent', { tenant: 'contoso', phone: CALLER, requestedBy: '' }, /requestedBy/],
  ])('%s is refused with a clear error and nothing is stored', (_, input, message) => {
    const { file, store } = world();
    expect(() => store.request(input)).toThrow(message);
    expect(rows(file)).toEqual([]);
  });

  it('a code that is not six digits, or no agent, is refused without using up an attempt', () => {
    const { store } = world();
    const { verification } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });
    expect(() => store.confirm(verification.id, '12345', 'sam')).toThrow('a verification code is six digits');
    expect(() => store.confirm(verification.id, '12345a', 'sam')).toThrow('a verification code is six digits');
    expect(() => store.confirm(verification.id, '123456', ' ')).toThrow('confirmedBy (the agent) is required');
    expect(store.get(verification.id)).toMatchObject({ status: 'pending', attemptsLeft: 5 });
  });

  it('refuses options that make no sense, and a code generator that does not give six digits', () => {
    expect(() => world({ maxAttempts: 0 })).toThrow('maxAttempts must be a positive integer');
    expect(() => world({ ttlMs: 1.5 })).toThrow('ttlMs must be a positive integer');
    const { file, store } = world({ randomCode: () => '12345' });
    expect(() => store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' })).toThrow('randomCode must return six digits');
    expect(rows(file)).toEqual([]);
  });
});

describe('concurrent confirms', () => {
  const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  // Each process opens the file, waits for a common start instant, and tries `attempts` wrong codes.
  const confirmer = `
    import { PhoneVerifications } from ${JSON.stringify(dist)};
    const [file, id, wrong, attempts, startAt, now] = process.argv.slice(1);
    const store = new PhoneVerifications({ file, now: () => new Date(now) });
    await new Promise((done) => setTimeout(done, Math.max(0, Number(startAt) - Date.now())));
    const outcomes = [];
    for (let i = 0; i < Number(attempts); i++) outcomes.push(store.confirm(id, wrong, 'agent-' + process.pid));
    store.close();
    console.log(JSON.stringify(outcomes));`;

  async function confirmInProcesses(file: string, id: string, wrong: string, processes: number, attempts: number): Promise<ConfirmOutcome[]> {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm -s build\` before this test`);
    const startAt = String(Date.now() + 1_000);
    const runs = Array.from({ length: processes }, () =>
      promisify(execFile)(process.execPath, ['--input-type=module', '-e', confirmer, file, id, wrong, String(attempts), startAt, new Date(T0).toISOString()], {
        timeout: 20_000,
      }),
    );
    return (await Promise.all(runs)).flatMap(({ stdout }) => JSON.parse(stdout) as ConfirmOutcome[]);
  }

  it('from several processes on one file, each wrong code uses up exactly one attempt', async () => {
    const { file, store } = world({ maxAttempts: 30 });
    const { verification, code } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });

    const outcomes = await confirmInProcesses(file, verification.id, otherCode(code), 3, 8);

    // 24 wrong codes: every one counted, each saw a different count left.
    const left = outcomes.map((o) => (o.ok ? -1 : o.attemptsLeft)).sort((a, b) => a - b);
    expect(left).toEqual(Array.from({ length: 24 }, (_, i) => i + 6));
    expect(store.get(verification.id)).toMatchObject({ status: 'pending', attemptsLeft: 6 });
  });

  it('racing past the limit: exactly five wrong codes are counted, the rest find it locked', async () => {
    const { file, store } = world();
    const { verification, code } = store.request({ tenant: 'contoso', phone: CALLER, requestedBy: 'sam' });

    const outcomes = await confirmInProcesses(file, verification.id, otherCode(code), 2, 4);

    const reasons = outcomes.map((o) => (o.ok ? 'ok' : o.reason));
    expect(reasons.filter((r) => r === 'wrong_code')).toHaveLength(5);
    expect(reasons.filter((r) => r === 'locked')).toHaveLength(3);
    expect(store.confirm(verification.id, code, 'sam')).toMatchObject({ ok: false, reason: 'locked' });
  });
});

describe('the codes topic', () => {
  const message = {
    verificationId: randomUUID(),
    tenant: 'contoso',
    callerPhone: CALLER,
    to: { name: 'Alice', email: 'alice@contoso.example' },
    language: 'de',
    code: '042917',
    expiresAt: '2026-11-02T09:10:00.000Z',
    requestedBy: 'sam',
  };

  it('publishes a valid message keyed by its verification id, and refuses an invalid one before it reaches the bus', async () => {
    const bus = openInProcessBus(join(dir, `${randomUUID()}.db`), { pollIntervalMs: 10 });
    try {
      await ensureVerificationCodesTopic(bus);
      await expect(publishVerificationCode(bus, { ...message, code: '42917' })).rejects.toThrow();
      await expect(publishVerificationCode(bus, { ...message, to: { name: 'Alice' } })).rejects.toThrow('the recipient needs an email or a phone');
      await expect(publishVerificationCode(bus, { ...message, extra: true } as typeof message)).rejects.toThrow();
      await publishVerificationCode(bus, message);

      const received: { key: string; value: unknown }[] = [];
      const subscription = await bus.subscribe({ group: 'reader', topics: [VERIFICATION_CODES_TOPIC], fromBeginning: true }, (m) => {
        received.push({ key: m.key, value: JSON.parse(m.value.toString('utf8')) });
        return Promise.resolve();
      });
      const deadline = Date.now() + 5_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
      await subscription.close();
      expect(received).toEqual([{ key: message.verificationId, value: message }]);
    } finally {
      await bus.close();
    }
  });
});
