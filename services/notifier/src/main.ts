#!/usr/bin/env node
// The notifier as its own process. Configuration from the environment:
//   CASEFLOW_DATA                   data directory holding caseflow.db (default ./data): the ledger, and the in-process bus
//   CASEFLOW_KAFKA_BROKERS          comma-separated bootstrap servers; without it, the in-process bus in caseflow.db
//   CASEFLOW_SMTP_HOST              SMTP server; without it, emails are written to the outbox as .eml files
//   CASEFLOW_SMTP_PORT              default 587 (465 when CASEFLOW_SMTP_SECURE=true)
//   CASEFLOW_SMTP_SECURE            true for TLS from the start (port 465); otherwise STARTTLS when offered
//   CASEFLOW_SMTP_USER, CASEFLOW_SMTP_PASS   SMTP authentication
//   CASEFLOW_OUTBOX                 outbox directory (default $CASEFLOW_DATA/outbox)
//   CASEFLOW_NOTIFIER_DIRECTORY     JSON file: { tenants: { <id>: { webhooks: [{url, secret}], dutySupervisor? } }, agents: { <id>: {email} }, dutySupervisor: {email} }
//   CASEFLOW_NOTIFIER_FROM          From address (default "caseflow support <no-reply@caseflow.invalid>")
//   CASEFLOW_NOTIFIER_MAX_ATTEMPTS  attempts per notification before the dead-letter topic (default 5)
//   CASEFLOW_NOTIFIER_GROUP         consumer group (default notifier)
//   CASEFLOW_NOTIFIER_MAX_EVENT_AGE_MS  do not notify about events older than this (default: no limit)
import { readFileSync } from 'node:fs';
import { exitWithConfigurationError, openServiceBus, serviceEnvironment, stopOnSignals } from '@caseflow/runtime';
import type { EmailTransportConfig } from './channels.js';
import { parseDirectory } from './directory.js';
import { emailConfigFromEnv } from './email-config.js';
import { NotificationLedger } from './ledger.js';
import { Notifier } from './notifier.js';

function fail(message: string): never {
  return exitWithConfigurationError('notifier', message);
}

const env = process.env;
const environment = serviceEnvironment(env);
const { dataDir: data, file } = environment;

function positiveInteger(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) fail(`${name} must be a positive integer, not ${raw}`);
  return value;
}

function directory(): unknown {
  const path = env.CASEFLOW_NOTIFIER_DIRECTORY;
  if (path === undefined || path === '') return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail(`cannot read CASEFLOW_NOTIFIER_DIRECTORY ${path}: ${(error as Error).message}`);
  }
  try {
    return parseDirectory(JSON.parse(text));
  } catch (error) {
    fail(`${path}: ${(error as Error).message}`);
  }
}

let email: EmailTransportConfig;
try {
  email = emailConfigFromEnv(env, data);
} catch (error) {
  fail((error as Error).message);
}
const config = directory();
const maxAttempts = positiveInteger('CASEFLOW_NOTIFIER_MAX_ATTEMPTS', 5);
const maxEventAgeMs = env.CASEFLOW_NOTIFIER_MAX_EVENT_AGE_MS === undefined ? undefined : positiveInteger('CASEFLOW_NOTIFIER_MAX_EVENT_AGE_MS', 1);
const ledger = new NotificationLedger(file);
const { bus, description } = await openServiceBus('notifier', environment);
const notifier = new Notifier({
  bus,
  ledger,
  directory: config,
  email,
  maxAttempts,
  ...(maxEventAgeMs === undefined ? {} : { maxEventAgeMs }),
  group: env.CASEFLOW_NOTIFIER_GROUP ?? 'notifier',
  ...(env.CASEFLOW_NOTIFIER_FROM === undefined ? {} : { from: env.CASEFLOW_NOTIFIER_FROM }),
});

stopOnSignals('notifier', async () => {
  await notifier.stop();
  await bus.close();
  ledger.close();
});

await notifier.start();
console.error(
  `caseflow notifier: consuming from ${description}, email ${
    email.kind === 'smtp' ? `via ${email.host}:${email.port}` : `to ${email.dir}`
  }`,
);
