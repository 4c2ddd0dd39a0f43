import { resolve } from 'node:path';
import { AdjustableClock } from '@caseflow/api';
import { loadTenantDirectory } from '@caseflow/directory';
import type { IdentityConfig } from '@caseflow/identity';
import { identityConfigFromEnv } from '@caseflow/identity';
import { emailConfigFromEnv } from '@caseflow/notifier';
import type { DevSetup, ServiceName, SystemOptions } from '@caseflow/system';
import { SERVICES, prepareDevMode, startSystem } from '@caseflow/system';
import type { GlobalOptions } from './context.js';
import { parseInstant } from './context.js';
import { UsageError } from './errors.js';
import type { Output } from './output.js';
import { deploymentPolicies } from './policies.js';

type Options = Record<string, unknown> & GlobalOptions;

export interface ServerOptions {
  port: string;
  host: string;
  kafka?: string;
  eventstore?: string;
  testClock?: boolean;
  tenants?: string;
}

function port(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new UsageError(`--port must be a port number (0 to 65535), not ${text}`);
  return value;
}

/** Resolves once SIGTERM or SIGINT arrives; the caller then shuts down gracefully. */
const untilSignalled = () =>
  new Promise<NodeJS.Signals>((done) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => done(signal));
  });

/** Identity from the environment; without any, dev mode: its secret, demo tenants and tokens. */
async function identityOrDevMode(dataDir: string, now: Date): Promise<{ identity: IdentityConfig; dev?: DevSetup }> {
  const configured = identityConfigFromEnv(process.env);
  if (configured !== undefined) return { identity: configured };
  const dev = await prepareDevMode(dataDir, now);
  return { identity: { secret: dev.secret }, dev };
}

/**
 * Runs `caseflow start` (every service) or `caseflow serve <service>` until SIGTERM or SIGINT. Kept
 * apart from the command definitions and loaded only when one of them runs, so that every other
 * CLI command starts without loading the server stack.
 */
export async function runServer(service: string | undefined, options: Options & ServerOptions, output: Output): Promise<void> {
  if (service !== undefined && !(SERVICES as readonly string[]).includes(service)) throw new UsageError(`serve runs one of ${SERVICES.join(', ')}, not ${service}`);
  const services: readonly ServiceName[] = service === undefined ? SERVICES : [service as ServiceName];
  const dataDir = resolve(options.data ?? './data');
  const testClock = options.testClock === true ? new AdjustableClock(options.now === undefined ? new Date() : parseInstant(options.now, '--now')) : undefined;
  const { identity, dev } = await identityOrDevMode(dataDir, testClock?.now() ?? new Date());
  const tenantsFile = options.tenants ?? process.env.CASEFLOW_TENANTS;
  const directory = tenantsFile !== undefined ? loadTenantDirectory(tenantsFile) : dev?.directory;
  if (directory === undefined) throw new UsageError('set CASEFLOW_TENANTS (or --tenants) to the tenant directory file when identity is configured');
  const email = emailConfigFromEnv(process.env, dataDir);
  const system: SystemOptions = {
    dataDir,
    services,
    port: port(options.port),
    host: options.host,
    identity,
    directory,
    email,
    policies: await deploymentPolicies(),
    ...(dev === undefined ? {} : { notifierDirectory: dev.notifierDirectory }),
    ...(options.kafka === undefined ? {} : { kafkaBrokers: options.kafka.split(',').map((b) => b.trim()).filter(Boolean) }),
    ...(options.eventstore === undefined ? {} : { eventstore: options.eventstore }),
    ...(testClock === undefined ? {} : { testClock }),
    log: (line) => output.err(`caseflow: ${line}`),
  };
  const running = await startSystem(system);
  const lines = [`caseflow: running ${services.join(', ')} on ${dataDir}`];
  if (running.url !== undefined) lines.push(`caseflow: API at ${running.url} (OpenAPI at ${running.url}/openapi.json)`);
  if (dev !== undefined) lines.push(`caseflow: dev mode: demo tenants in ${dev.directoryFile}, tokens for every role in ${dev.credentialsFile}`);
  lines.push(`caseflow: bus ${system.kafkaBrokers === undefined ? 'in-process' : `Kafka at ${system.kafkaBrokers.join(',')}`}, store ${system.eventstore === undefined ? 'SQLite' : 'EventStoreDB'}, email ${email.kind === 'smtp' ? `via ${email.host}:${email.port}` : `to ${email.dir}`}`);
  if (testClock !== undefined) lines.push(`caseflow: test clock at ${testClock.now().toISOString()}: POST ${running.url ?? ''}/v1/_clock {"advance":"PT15M"} moves it`);
  for (const line of lines) output.out(line);
  const signal = await untilSignalled();
  output.err(`caseflow: ${signal}: stopping (finishing in-flight commands, committing checkpoints)`);
  await running.stop();
}

