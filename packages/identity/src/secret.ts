import { randomBytes } from 'node:crypto';

/** HS256 is only as strong as its key: RFC 7518 §3.2 asks for at least the hash's 256 bits. */
const MIN_SECRET_BYTES = 32;

/** The secret's bytes as HS256 uses them; a plain Error (never echoing the secret) when too short. */
export function hmacKey(secret: string): Uint8Array {
  const key = new TextEncoder().encode(secret);
  if (key.length < MIN_SECRET_BYTES) {
    throw new Error(`the JWT secret is ${key.length} bytes; HS256 needs at least ${MIN_SECRET_BYTES} (generateSecret() makes one)`);
  }
  return key;
}

/** 32 random bytes, base64url: a dev-mode HS256 secret. */
export function generateSecret(): string {
  return randomBytes(MIN_SECRET_BYTES).toString('base64url');
}
