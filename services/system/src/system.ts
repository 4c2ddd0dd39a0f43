import { join } from 'node:path';
import type { ApiOptions } from '@caseflow/api';
import type { AdjustableClock } from '@caseflow/api';
import { buildApi } from '@caseflow/api';
import type { Bus } from '@caseflow/bus';
import { openInProcessBus, openKafkaBus } from '@caseflow/bus';
import type { TenantDirectory } from '@caseflow/directory';
import type { Clock } from '@caseflow/engine';
import { CommandEngine, systemClock } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';
import { SqliteEventStore, openEsdbEventStore, openSqliteEventStore } from '@caseflow/eventstore';
import type { IdentityConfig } from '@caseflow/identity';
import { createTokenVerifier } from '@caseflow/identity';
import type { EmailTransportConfig } from '@caseflow/notifier';
import { NotificationLedger, Notifier } from '@caseflow/notifier';
import { TicketList } from '@caseflow/readmodel';
import { Relay, RelayBookkeeping } from '@caseflow/relay';
import type { SlaPolicy } from '@caseflow/sla';
import { enginePolicies, policyList } from '@caseflow/sla';
import { SlaTimer, SlaTimerStore } from '@caseflow/sla-timer';
import { PhoneVerifications } from '@caseflow/verification';

export const SERVICES = ['api', 'relay', 'sla-timer', 'notifier'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface SystemOptions {
  /** Holds caseflow.db (store, bus, every service's tables) and the outbox. */
  dataDir: string;
  services?: readonly ServiceName[];
  port?: number;
  host?: string;
  /** Kafka bootstrap servers; without them the in-process bus in caseflow.db. */
  kafkaBrokers?: readonly string[];
  /** An EventStoreDB connection string; without it the SQLite store in caseflow.db. */
  eventstore?: string;
  identity: IdentityConfig;
  directory: TenantDirectory;
  /** The notifier's people and webhooks (see @caseflow/notifier parseDirectory). */
  notifierDirectory?: unknown;
  email?: EmailTransportConfig;
  policies?: readonly SlaPolicy[];
  /** With a test clock, time stands still until POST /v1/_clock moves it. */
  testClock?: AdjustableClock;
  /** Fastify's logger (pino) settings; off by default. */
  logger?: ApiOptions['logger'];
  log?: (line: string) => void;
}

export interface RunningSystem {
  /** The API's base URL, when the API runs. */
  url?: string;
  clock: Clock;
  services: readonly ServiceName[];
  /** Graceful: stops intake, finishes in-flight commands, commits checkpoints, closes files. */
  stop(): Promise<void>;
}

/**
 * Runs caseflow's services in one process on one data directory: `caseflow start` runs all four
 * on embedded defaults, `caseflow serve <name>` one of them. Each part is the same class its own
 * process would run; only the wiring is here.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const services = options.services ?? SERVICES;
  const runs = (name: ServiceName) => services.includes(name);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const file = join(options.dataDir, 'caseflow.db');
  const clock: Clock = options.testClock ?? systemClock;
  const now = () => clock.now();
  const policies = policyList(options.policies);

  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    const store: EventStore = options.eventstore === undefined ? openSqliteEventStore(file) : openEsdbEventStore(options.eventstore);
    stops.push(() => store.close());
    const bus: Bus =
      options.kafkaBrokers !== undefined && options.kafkaBrokers.length > 0
        ? await openKafkaBus({ brokers: [...options.kafkaBrokers], clientId: 'caseflow' })
        : openInProcessBus(file, { pollIntervalMs: 50 });
    stops.push(() => bus.close());

    let relayLag: (() => number) | undefined;
    if (runs('relay')) {
      const bookkeeping = new RelayBookkeeping(file);
      stops.push(() => bookkeeping.close());
      const relay = new Relay({ store, bus, bookkeeping });
      await relay.start();
      stops.push(() => relay.stop());
      if (store instanceof SqliteEventStore) relayLag = () => store.countAfter(bookkeeping.checkpoint(relay.name));
    }

    let timersPending: (() => number) | undefined;
    if (runs('sla-timer')) {
      const timers = new SlaTimerStore(file);
      stops.push(() => timers.close());
      const worker = new SlaTimer({ store, bus, timers, clock, policies, pollIntervalMs: options.testClock === undefined ? 1_000 : 100, log: (line) => log(`sla-timer: ${line}`) });
      await worker.start();
      stops.push(() => worker.stop());
      const unsubscribe = options.testClock?.onChange(() => void worker.runDue().catch((error: unknown) => log(`sla-timer: ${String(error)}`)));
      if (unsubscribe !== undefined) stops.push(unsubscribe);
      timersPending = () => timers.count().pending;
    }

    if (runs('notifier')) {
      const ledger = new NotificationLedger(file);
      stops.push(() => ledger.close());
      const notifier = new Notifier({
        bus,
        ledger,
        history: store,
        directory: options.notifierDirectory ?? {},
        email: options.email ?? { kind: 'outbox', dir: join(options.dataDir, 'outbox') },
        now,
        log: (line) => log(`notifier: ${line}`),
      });
      await notifier.start();
      stops.push(() => notifier.stop());
    }

    let url: string | undefined;
    if (runs('api')) {
      const tickets = new TicketList({ file, store, policies, onError: (error) => log(`read model: ${error.message}`) });
      await tickets.start();
      stops.push(() => tickets.stop());
      const verifications = new PhoneVerifications({ file, now });
      stops.push(() => verifications.close());
      const engine = new CommandEngine({ store, clock, ...enginePolicies(policies) });
      const app = await buildApi({
        engine,
        store,
        tickets,
        directory: options.directory,
        verifyToken: createTokenVerifier(options.identity, { now }),
        verifications,
        bus,
        clock,
        policies,
        ...(options.testClock === undefined ? {} : { testClock: options.testClock }),
        gauges: { ...(relayLag === undefined ? {} : { relayLag }), ...(timersPending === undefined ? {} : { timersPending }) },
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
      stops.push(() => app.close());
      url = await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
    }
    return { ...(url === undefined ? {} : { url }), clock, services, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
