import { join, resolve } from 'node:path';
import type { EmailTransportConfig } from './channels.js';

export class EmailConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmailConfigError';
  }
}

/**
 * How email leaves, from the environment: SMTP when CASEFLOW_SMTP_HOST is set (port, TLS and
 * credentials from CASEFLOW_SMTP_PORT, _SECURE, _USER, _PASS), else .eml files in the outbox
 * (CASEFLOW_OUTBOX, default <data>/outbox), so a machine without a mail server loses nothing.
 */
export function emailConfigFromEnv(env: NodeJS.ProcessEnv, dataDir: string): EmailTransportConfig {
  const host = env.CASEFLOW_SMTP_HOST;
  if (host === undefined || host === '') return { kind: 'outbox', dir: resolve(env.CASEFLOW_OUTBOX ?? join(dataDir, 'outbox')) };
  const secure = env.CASEFLOW_SMTP_SECURE === 'true';
  const portText = env.CASEFLOW_SMTP_PORT;
  const port = portText === undefined || portText === '' ? (secure ? 465 : 587) : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new EmailConfigError(`CASEFLOW_SMTP_PORT must be a port number, not ${portText}`);
  const user = env.CASEFLOW_SMTP_USER;
  return { kind: 'smtp', host, port, secure, ...(user === undefined || user === '' ? {} : { auth: { user, pass: env.CASEFLOW_SMTP_PASS ?? '' } }) };
}
