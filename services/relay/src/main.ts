#!/usr/bin/env node
// The relay as its own process. Configuration from the environment:
//   CASEFLOW_DATA           the data directory holding caseflow.db (default ./data)
//   CASEFLOW_KAFKA_BROKERS  comma-separated bootstrap servers; without it, the in-process bus in caseflow.db
//   CASEFLOW_RELAY_TOPIC    the topic (default caseflow.ticket-events.v1)
import { join, resolve } from 'node:path';
import { openInProcessBus, openKafkaBus } from '@caseflow/bus';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { RelayBookkeeping } from './lease.js';
import { Relay } from './relay.js';

const file = join(resolve(process.env.CASEFLOW_DATA ?? './data'), 'caseflow.db');
const brokers = process.env.CASEFLOW_KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter(Boolean) ?? [];

const store = openSqliteEventStore(file);
const bus = brokers.length > 0 ? await openKafkaBus({ brokers, clientId: 'caseflow-relay' }) : openInProcessBus(file);
const bookkeeping = new RelayBookkeeping(file);
const relay = new Relay({
  store,
  bus,
  bookkeeping,
  topic: process.env.CASEFLOW_RELAY_TOPIC || undefined,
  leaseMs: Number(process.env.CASEFLOW_RELAY_LEASE_MS ?? 10_000),
});

async function shutdown(): Promise<void> {
  await relay.stop();
  await bus.close();
  await store.close();
  bookkeeping.close();
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`caseflow relay: shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  });
}

await relay.start();
console.error(`caseflow relay: relaying ${file} to ${brokers.length > 0 ? `Kafka at ${brokers.join(',')}` : 'the in-process bus'}`);
