import type { Bus } from '@caseflow/bus';
import { z } from 'zod';
import { CODE } from './store.js';

export const VERIFICATION_CODES_TOPIC = 'caseflow.verification-codes.v1';

/** Partitions of the codes topic when the first service to use it creates it. */
const VERIFICATION_CODES_PARTITIONS = 6;

/** What the API publishes (key = verification id) and the notifier delivers. */
export const VerificationCodeMessage = z
  .object({
    verificationId: z.string(),
    tenant: z.string(),
    callerPhone: z.string(),
    to: z.object({ name: z.string(), email: z.string().optional(), phone: z.string().optional() }),
    language: z.string(),
    code: z.string().regex(CODE),
    expiresAt: z.string(),
    requestedBy: z.string(),
  })
  .strict()
  // A code that can reach nobody is a publisher's bug: refuse it before it is on the bus.
  .refine((message) => message.to.email !== undefined || message.to.phone !== undefined, {
    message: 'the recipient needs an email or a phone',
    path: ['to'],
  });
export type VerificationCodeMessage = z.infer<typeof VerificationCodeMessage>;

/** Creates the codes topic unless it exists; publishers and the notifier both call it before use. */
export async function ensureVerificationCodesTopic(bus: Bus, partitions = VERIFICATION_CODES_PARTITIONS): Promise<void> {
  await bus.ensureTopic(VERIFICATION_CODES_TOPIC, { partitions });
}

/**
 * Publishes a code for the notifier to deliver, keyed by the verification id (so a republish of
 * the same verification lands on the same partition and the notifier's ledger sends it once).
 * The message is validated first; an invalid one throws and nothing is published.
 */
export async function publishVerificationCode(bus: Bus, message: VerificationCodeMessage): Promise<void> {
  const valid = VerificationCodeMessage.parse(message);
  await bus.publish(VERIFICATION_CODES_TOPIC, [
    { key: valid.verificationId, value: JSON.stringify(valid), headers: { 'content-type': 'application/json' } },
  ]);
}
