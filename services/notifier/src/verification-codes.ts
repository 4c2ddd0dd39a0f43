import { VerificationCodeMessage } from '@caseflow/verification';
import { pathOf } from './directory.js';
import { formatInstant, localize } from './locale.js';
import type { PlannedMessage } from './plan.js';
import { notificationId } from './plan.js';
import { render } from './templates.js';

/**
 * Reads a message of the verification codes topic. Its errors name what is wrong and never a
 * value (V8's JSON errors quote the text, and the text holds the code): they go to logs and to
 * the dead-letter topic's error.
 */
export function decodeVerificationCode(text: string): VerificationCodeMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('the value is not JSON');
  }
  const parsed = VerificationCodeMessage.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${pathOf(issue.path)}: ${issue.message}`);
  throw new Error(`not a verification code message: ${issues.join('; ')}`);
}

/**
 * The one notification a code calls for: an email to the registered address, else a callback
 * task to read it to the registered phone. The message has no zone for its reader, so the expiry
 * is given in UTC, named as such, in the reader's language.
 */
export function planVerificationCode(message: VerificationCodeMessage): PlannedMessage {
  const { email, phone } = message.to;
  const [channel, recipient] = email !== undefined ? (['email', email] as const) : (['callback', phone ?? ''] as const);
  const template = channel === 'email' ? 'verification.email' : 'verification.call';
  const { language, locale } = localize(message.language);
  const zone = 'UTC';
  return {
    id: notificationId(message.verificationId, channel, recipient),
    eventId: message.verificationId,
    verificationId: message.verificationId,
    tenant: message.tenant,
    audience: 'customer',
    channel,
    recipient,
    template,
    language,
    locale,
    zone,
    message: render(template, language, {
      // A line whose value is blank is left out: a nameless contact is addressed by where they are reached.
      name: message.to.name.trim() === '' ? recipient : message.to.name,
      tenant: message.tenant,
      callerPhone: message.callerPhone,
      phone,
      code: message.code,
      expiresAt: formatInstant(message.expiresAt, zone, locale),
    }),
  };
}
