import { expect } from '@jest/globals';
import type { CryptoKey, JWTPayload } from 'jose';
import { SignJWT } from 'jose';
import type { TokenClaims, UnauthorizedReason } from '../src/index.js';
import { UnauthorizedError } from '../src/index.js';

/** A Monday morning: every test clock starts here. */
export const T0 = new Date('2026-03-02T09:00:00Z');
export const epoch = (date: Date): number => Math.floor(date.getTime() / 1000);
export const later = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export const SECRET = 'k3Jq9xZ2-dev-secret-for-tests-only-0123456789';
export const alice: TokenClaims = { sub: 'alice@contoso', role: 'customer-admin', tenant: 'contoso' };
export const partner: TokenClaims = { sub: 'pat@adatum-partners', role: 'partner', tenant: 'adatum-partners', delegations: ['contoso', 'fabrikam'] };

/** Signs any payload at all (unlike issueToken, which checks it): how a hostile or sloppy issuer would. */
export function sign(payload: JWTPayload, key: CryptoKey | Uint8Array, header: { alg: string; kid?: string } = { alg: 'HS256' }): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

export const secretBytes = (secret: string = SECRET): Uint8Array => new TextEncoder().encode(secret);

/** A payload alice's tokens carry, valid for an hour from T0. */
export const alicePayload = (extra: JWTPayload = {}): JWTPayload => ({ ...alice, iat: epoch(T0), exp: epoch(T0) + 3600, ...extra });

/** Awaits a rejection and checks it is the client-safe error with this reason. */
export async function expectRefused(verification: Promise<unknown>, reason: UnauthorizedReason, message?: string | RegExp): Promise<void> {
  const error = await verification.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(UnauthorizedError);
  expect((error as UnauthorizedError).reason).toBe(reason);
  if (message !== undefined) expect((error as UnauthorizedError).message).toMatch(message);
}
