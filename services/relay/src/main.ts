#!/usr/bin/env node
// The relay as its own process. Configuration from the environment:
//   CASEFLOW_DATA           the data directory holding caseflow.db (default ./data)
//   CASEFLOW_KAFKA_BROKERS  comma-separated bootstrap servers; without it, the in-process bus in caseflow.db
//   CASEFLOW_RELAY_TOPIC    the topic (default caseflow.ticket-events.v1)
import { openSqliteEventStore } from '@caseflow/eventstore';
import { openServiceBus, serviceEnvironment, stopOnSignals } from '@caseflow/runtime';
import { RelayBookkeeping } from './lease.js';
import { Relay } from './relay.js';

const environment = serviceEnvironment();
const { file } = environment;
const store = openSqliteEventStore(file);
const { bus, description } = await openServiceBus('relay', environment);
const bookkeeping = new RelayBookkeeping(file);
const relay = new Relay({
  store,
  bus,
  bookkeeping,
  topic: process.env.CASEFLOW_RELAY_TOPIC || undefined,
  leaseMs: Number(process.env.CASEFLOW_RELAY_LEASE_MS ?? 10_000),
});

stopOnSignals('relay', async () => {
  await relay.stop();
  await bus.close();
  await store.close();
  bookkeeping.close();
});

await relay.start();
console.error(`caseflow relay: relaying the event store in ${file} to ${description}`);
