/**
 * What every caseflow service process shares: where its data is, which bus it talks to, and how
 * it stops. Each service's `main.ts` is configuration plus wiring on top of this.
 */
import { join, resolve } from 'node:path';
import type { Bus } from '@caseflow/bus';
import { openInProcessBus, openKafkaBus } from '@caseflow/bus';

export interface ServiceEnvironment {
  /** `$CASEFLOW_DATA` (default ./data), resolved. */
  dataDir: string;
  /** The SQLite file in it: the embedded event store, the in-process bus and the services' own tables. */
  file: string;
  /** `$CASEFLOW_KAFKA_BROKERS`, comma-separated; empty for the in-process bus. */
  brokers: string[];
}

export function serviceEnvironment(env: NodeJS.ProcessEnv = process.env): ServiceEnvironment {
  const dataDir = resolve(env.CASEFLOW_DATA ?? './data');
  const brokers = (env.CASEFLOW_KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  return { dataDir, file: join(dataDir, 'caseflow.db'), brokers };
}

/** Kafka when brokers are configured, else the in-process bus in the data file; with a line saying which. */
export async function openServiceBus(
  service: string,
  { brokers, file }: ServiceEnvironment,
  options: { pollIntervalMs?: number } = {},
): Promise<{ bus: Bus; description: string }> {
  if (brokers.length > 0) {
    return { bus: await openKafkaBus({ brokers, clientId: `caseflow-${service}` }), description: `Kafka at ${brokers.join(',')}` };
  }
  return { bus: openInProcessBus(file, options), description: `the in-process bus in ${file}` };
}

/** A configuration mistake: one line on stderr and exit 2, like the CLI's usage errors. */
export function exitWithConfigurationError(service: string, message: string): never {
  console.error(`caseflow ${service}: ${message}`);
  process.exit(2);
}

/** On SIGTERM or SIGINT: shut down gracefully, then exit 0 (or 1 if the shutdown failed). */
export function stopOnSignals(service: string, shutdown: () => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutdown().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`caseflow ${service}: shutdown failed: ${String(error)}`);
          process.exit(1);
        },
      );
    });
  }
}
