import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, in the manner of Stripe's:
 *
 *   x-caseflow-timestamp: <unix seconds when the request was signed>
 *   x-caseflow-signature: sha256=<hex HMAC-SHA256(secret, `${timestamp}.${raw body}`)>
 *
 * Signing the timestamp with the body lets a receiver refuse replays: it checks the signature
 * over the exact bytes it received (before any JSON parsing), then that the timestamp is recent
 * (five minutes by default). Each retry is signed afresh with a new timestamp. A receiver that
 * must also drop duplicates keys on `x-caseflow-delivery` (one id per event, endpoint and channel,
 * the same on every retry) or on the body's `eventId`.
 */
export const SIGNATURE_HEADER = 'x-caseflow-signature';
export const TIMESTAMP_HEADER = 'x-caseflow-timestamp';
export const DELIVERY_HEADER = 'x-caseflow-delivery';
export const EVENT_ID_HEADER = 'x-caseflow-event-id';

/** The `x-caseflow-signature` value for a body signed at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number | string, body: string | Buffer): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${String(timestamp)}.`);
  hmac.update(body);
  return `sha256=${hmac.digest('hex')}`;
}

export interface VerifyWebhookInput {
  /** The raw request body, exactly as received. */
  body: string | Buffer;
  secret: string;
  /** The `x-caseflow-signature` header. */
  signature: string | string[] | undefined;
  /** The `x-caseflow-timestamp` header. */
  timestamp: string | string[] | undefined;
  /** How far the timestamp may be from now, either way (default 300 s); Infinity turns the check off. */
  toleranceSeconds?: number;
  now?: Date;
}

const single = (header: string | string[] | undefined) => (Array.isArray(header) ? header[0] : header);

/**
 * For receivers: true when the signature is the HMAC of this body and timestamp under `secret`
 * and the timestamp is within the tolerance. Constant-time comparison.
 */
export function verifyWebhookSignature(input: VerifyWebhookInput): boolean {
  const signature = single(input.signature)?.trim();
  const timestamp = single(input.timestamp)?.trim();
  if (signature === undefined || timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const tolerance = input.toleranceSeconds ?? 300;
  const now = (input.now ?? new Date()).getTime() / 1000;
  if (Math.abs(now - Number(timestamp)) > tolerance) return false;
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
