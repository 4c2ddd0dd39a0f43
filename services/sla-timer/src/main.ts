#!/usr/bin/env node
// The SLA timer as its own process. Configuration from the environment:
//   CASEFLOW_DATA            the data directory holding caseflow.db (default ./data): the event store,
//                            the timers (sla_timer_ tables) and, without Kafka, the in-process bus
//   CASEFLOW_KAFKA_BROKERS   comma-separated bootstrap servers; without it, the in-process bus in caseflow.db
//   CASEFLOW_SLA_POLICY      a policy file (JSON) to time tickets by, besides the default policy
//   CASEFLOW_SLA_GROUP       the consumer group (default sla-timer)
//   CASEFLOW_SLA_TOPIC       the ticket-event topic (default caseflow.ticket-events.v1; tests use their own)
//   CASEFLOW_SLA_POLL_MS     the longest the scheduler sleeps between looks for due timers (default 1000)
//   CASEFLOW_BUS_POLL_MS     how often the in-process bus looks for messages from other processes (default 250)
//   CASEFLOW_SLA_CATCH_UP    1: after joining the group, also time every ticket of the event store the
//                            timers have not seen (a new worker on a topic whose retention dropped old messages)
import { openSqliteEventStore } from '@caseflow/eventstore';
import { exitWithConfigurationError, openServiceBus, serviceEnvironment, stopOnSignals } from '@caseflow/runtime';
import { loadPolicies } from '@caseflow/sla';
import { TICKET_EVENTS_TOPIC } from './messages.js';
import { SlaTimer } from './sla-timer.js';
import { SlaTimerStore } from './timer-store.js';

function positive(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) exitWithConfigurationError('sla-timer', `${name} must be a positive number of milliseconds, not "${text}"`);
  return value;
}

const environment = serviceEnvironment();
const { file } = environment;
const policies = await loadPolicies(process.env.CASEFLOW_SLA_POLICY);

const store = openSqliteEventStore(file);
const { bus, description } = await openServiceBus('sla-timer', environment, { pollIntervalMs: positive('CASEFLOW_BUS_POLL_MS', 250) });
const timers = new SlaTimerStore(file);
const worker = new SlaTimer({
  store,
  bus,
  timers,
  policies,
  group: process.env.CASEFLOW_SLA_GROUP || 'sla-timer',
  topic: process.env.CASEFLOW_SLA_TOPIC || TICKET_EVENTS_TOPIC,
  pollIntervalMs: positive('CASEFLOW_SLA_POLL_MS', 1_000),
  onStopped: (error) => {
    // The subscription cannot go on (the broker or the file failed): exit so a supervisor restarts us.
    console.error(`caseflow sla-timer: the subscription stopped: ${error.message}`);
    process.exit(1);
  },
});

stopOnSignals('sla-timer', async () => {
  await worker.stop();
  await bus.close();
  await store.close();
  timers.close();
});

await worker.start();
if (process.env.CASEFLOW_SLA_CATCH_UP === '1') {
  const refreshed = await worker.catchUpFromStore();
  console.error(`caseflow sla-timer: caught up ${refreshed} tickets from the event store`);
}
const { pending } = timers.count();
console.error(
  `caseflow sla-timer: timing tickets of ${file} from ${description}; ${pending} timers pending`,
);
