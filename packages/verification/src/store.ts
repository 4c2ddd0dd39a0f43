import { randomBytes, randomInt, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { Contact } from '@caseflow/domain';
import type { SqliteDatabase } from '@caseflow/sqlite';
import { migrateSchema, openSqliteFile } from '@caseflow/sqlite';
import { z } from 'zod';

const VERIFICATION_SCHEMA_VERSION = 1;

export type VerificationStatus = 'pending' | 'confirmed' | 'expired' | 'locked';

export interface VerificationView {
  id: string;
  tenant: string;
  /** The caller's number, as the agent entered it. */
  phone: string;
  status: VerificationStatus;
  requestedBy: string;
  createdAt: string;
  expiresAt: string;
  attemptsLeft: number;
  confirmedAt?: string;
  confirmedBy?: string;
}

export type ConfirmFailure = 'not_found' | 'expired' | 'locked' | 'wrong_code' | 'already_confirmed';

export type ConfirmOutcome =
  | { ok: true; verification: VerificationView }
  | { ok: false; reason: ConfirmFailure; attemptsLeft: number; verification?: VerificationView };

export interface PhoneVerificationsOptions {
  /** The SQLite file (the shared caseflow.db); the table is `phone_verifications`. */
  file: string;
  now: () => Date;
  /** How long a code can be confirmed (default 10 minutes). */
  ttlMs?: number;
  /** Wrong codes before a verification is locked (default 5). */
  maxAttempts?: number;
  /** How long a confirmed verification may be used for commands (default 60 minutes). */
  confirmedForMs?: number;
  /** Six digits; by default from crypto.randomInt. */
  randomCode?: () => string;
}

const MINUTE = 60_000;
/** A verification code: six digits, as generated, published and read back. */
export const CODE = /^[0-9]{6}$/;

const RequestInput = z.strictObject({
  tenant: z.string().trim().min(1, 'a tenant is required'),
  phone: Contact.shape.phone.unwrap(),
  requestedBy: z.string().trim().min(1, 'requestedBy (the agent) is required'),
});

/**
 * scrypt's defaults (N = 2^14, r = 8, p = 1: some tens of milliseconds and 16 MiB per hash). A six
 * digit code has only a million values, so the hash cannot stop a determined offline search; it
 * makes one take hours instead of a second, well past the code's ten minutes.
 */
const HASH_BYTES = 32;
const SALT_BYTES = 16;
const hashCode = (code: string, salt: Buffer) => scryptSync(code, salt, HASH_BYTES);

const defaultRandomCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

interface VerificationRow {
  id: string;
  tenant: string;
  phone: string;
  requested_by: string;
  created_at: string;
  expires_at: string;
  code_salt: Buffer;
  code_hash: Buffer;
  attempts_left: number;
  confirmed_at: string | null;
  confirmed_by: string | null;
}

function createTables(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS phone_verifications (
      id TEXT PRIMARY KEY,
      tenant TEXT NOT NULL,
      phone TEXT NOT NULL,
      requested_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      code_salt BLOB NOT NULL,
      code_hash BLOB NOT NULL,
      attempts_left INTEGER NOT NULL CHECK (attempts_left >= 0),
      confirmed_at TEXT,
      confirmed_by TEXT)`);
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < 1) throw new RangeError(`${name} must be a positive integer, not ${String(value)}`);
  return chosen;
}

/**
 * Phone verifications of callers whose number is not registered for their tenant: a six-digit
 * code is sent to the tenant's registered contact, and the agent confirms what the caller reads
 * back. In SQLite, so every API process on the shared file sees the same attempts.
 *
 * The code is kept only as a salted scrypt hash. Wrong attempts are counted in an IMMEDIATE
 * transaction that re-reads the row, so concurrent confirms (other processes included) each use
 * up one attempt and none is lost.
 */
export class PhoneVerifications {
  private readonly db: SqliteDatabase;
  private readonly now: () => Date;
  private readonly ttlMs: number;
  private readonly maxAttempts: number;
  private readonly confirmedForMs: number;
  private readonly randomCode: () => string;

  constructor(options: PhoneVerificationsOptions) {
    this.now = options.now;
    this.ttlMs = positiveInteger('ttlMs', options.ttlMs, 10 * MINUTE);
    this.maxAttempts = positiveInteger('maxAttempts', options.maxAttempts, 5);
    this.confirmedForMs = positiveInteger('confirmedForMs', options.confirmedForMs, 60 * MINUTE);
    this.randomCode = options.randomCode ?? defaultRandomCode;
    const { db, file } = openSqliteFile(options.file);
    this.db = db;
    migrateSchema(db, file, { component: 'verification', table: 'verification_schema', version: VERIFICATION_SCHEMA_VERSION, create: createTables });
  }

  /**
   * Starts a verification and returns its code, in plain text this once, for the notifier.
   * Throws on bad input (nothing is stored).
   */
  request(input: { tenant: string; phone: string; requestedBy: string }): { verification: VerificationView; code: string } {
    const parsed = RequestInput.safeParse(input);
    if (!parsed.success) throw new Error(`invalid verification request: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    const code = this.randomCode();
    // Never echo the value: it is the secret.
    if (!CODE.test(code)) throw new Error('randomCode must return six digits');
    const now = this.now();
    const salt = randomBytes(SALT_BYTES);
    const row: VerificationRow = {
      id: randomUUID(),
      tenant: parsed.data.tenant,
      phone: parsed.data.phone,
      requested_by: parsed.data.requestedBy,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.ttlMs).toISOString(),
      code_salt: salt,
      code_hash: hashCode(code, salt),
      attempts_left: this.maxAttempts,
      confirmed_at: null,
      confirmed_by: null,
    };
    this.db
      .prepare(
        `INSERT INTO phone_verifications (id, tenant, phone, requested_by, created_at, expires_at, code_salt, code_hash, attempts_left)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(row.id, row.tenant, row.phone, row.requested_by, row.created_at, row.expires_at, row.code_salt, row.code_hash, row.attempts_left);
    return { verification: this.view(row, now), code };
  }

  /**
   * Checks a code the caller read back. A wrong code uses up an attempt (the last one locks the
   * verification); after expiry or lock even the right code is refused. Throws when `code` is not
   * six digits or `confirmedBy` is empty (nothing is counted).
   */
  confirm(id: string, code: string, confirmedBy: string): ConfirmOutcome {
    if (!CODE.test(code)) throw new Error('a verification code is six digits');
    if (confirmedBy.trim() === '') throw new Error('confirmedBy (the agent) is required');
    const before = this.row(id);
    if (before === undefined) return { ok: false, reason: 'not_found', attemptsLeft: 0 };
    const refusal = this.refusal(before, this.now());
    if (refusal !== undefined) return refusal;
    // The slow hash runs outside the transaction, so the shared file is not locked for its
    // duration; salt and hash never change, so the answer still holds inside it.
    const matches = timingSafeEqual(hashCode(code, before.code_salt), before.code_hash);
    return this.db
      .transaction((): ConfirmOutcome => {
        const now = this.now();
        const row = this.row(id) as VerificationRow;
        const refused = this.refusal(row, now);
        if (refused !== undefined) return refused;
        if (matches) {
          const confirmed = { ...row, confirmed_at: now.toISOString(), confirmed_by: confirmedBy };
          this.db.prepare('UPDATE phone_verifications SET confirmed_at = ?, confirmed_by = ? WHERE id = ?').run(confirmed.confirmed_at, confirmedBy, id);
          return { ok: true, verification: this.view(confirmed, now) };
        }
        const counted = { ...row, attempts_left: row.attempts_left - 1 };
        this.db.prepare('UPDATE phone_verifications SET attempts_left = ? WHERE id = ?').run(counted.attempts_left, id);
        return { ok: false, reason: 'wrong_code', attemptsLeft: counted.attempts_left, verification: this.view(counted, now) };
      })
      .immediate();
  }

  get(id: string): VerificationView | undefined {
    const row = this.row(id);
    return row === undefined ? undefined : this.view(row, this.now());
  }

  /** The verification if it is confirmed, for this tenant, and still within confirmedForMs; else undefined. */
  usableFor(id: string, tenant: string): VerificationView | undefined {
    const row = this.row(id);
    if (row === undefined || row.tenant !== tenant || row.confirmed_at === null) return undefined;
    const now = this.now();
    if (now.getTime() >= Date.parse(row.confirmed_at) + this.confirmedForMs) return undefined;
    return this.view(row, now);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private row(id: string): VerificationRow | undefined {
    return this.db.prepare<[string], VerificationRow>('SELECT * FROM phone_verifications WHERE id = ?').get(id);
  }

  /** Why a verification no longer accepts a code, or undefined while it is pending. */
  private refusal(row: VerificationRow, now: Date): Extract<ConfirmOutcome, { ok: false }> | undefined {
    const verification = this.view(row, now);
    switch (verification.status) {
      case 'pending':
        return undefined;
      case 'confirmed':
        return { ok: false, reason: 'already_confirmed', attemptsLeft: row.attempts_left, verification };
      case 'locked':
      case 'expired':
        return { ok: false, reason: verification.status, attemptsLeft: row.attempts_left, verification };
    }
  }

  private view(row: VerificationRow, now: Date): VerificationView {
    return {
      id: row.id,
      tenant: row.tenant,
      phone: row.phone,
      status: statusOf(row, now),
      requestedBy: row.requested_by,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      attemptsLeft: row.attempts_left,
      ...(row.confirmed_at === null ? {} : { confirmedAt: row.confirmed_at }),
      ...(row.confirmed_by === null ? {} : { confirmedBy: row.confirmed_by }),
    };
  }
}

/** Confirmed stays confirmed; a locked verification stays locked after it would have expired. */
function statusOf(row: VerificationRow, now: Date): VerificationStatus {
  if (row.confirmed_at !== null) return 'confirmed';
  if (row.attempts_left === 0) return 'locked';
  if (now.getTime() >= Date.parse(row.expires_at)) return 'expired';
  return 'pending';
}
