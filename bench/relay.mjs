// Relay throughput: a generated log relayed to a real Kafka broker (read, encode as CloudEvents,
// publish with acks from all replicas, checkpoint), against raw kafkajs batch produce of the very
// same messages with the same producer settings, in the same run. Goal: >= 0.5x raw.
// Then end-to-end latency from command to consumer, p50 and p99, at a fixed command rate.
// Uses CASEFLOW_KAFKA_BROKERS, or starts a broker on 127.0.0.1:19692 and stops it afterwards.
// Usage: node bench/relay.mjs [--tickets 5000] [--rounds 3] [--rate 200] [--seconds 10]
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { openKafkaBus } from '@caseflow/bus';
import { defaultDecisionPolicy } from '@caseflow/domain';
import { CommandEngine } from '@caseflow/engine';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { Relay, RelayBookkeeping, TICKET_EVENTS_TOPIC, toTicketMessage } from '@caseflow/relay';
import { generateLog } from './generate.mjs';
import { arg, median, report, tempDir } from './lib.mjs';

const tickets = arg('tickets', 5_000);
const rounds = arg('rounds', 3);
const rate = arg('rate', 200);
const seconds = arg('seconds', 10);
const dir = tempDir('relay');
const kafkaScripts = fileURLToPath(new URL('../infra/kafka/', import.meta.url));

let brokers = process.env.CASEFLOW_KAFKA_BROKERS;
const ownBroker = brokers === undefined || brokers === '';
if (ownBroker) brokers = execFileSync('bash', [join(kafkaScripts, 'start'), '--port', '19692'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
const brokerList = brokers.split(',');

async function relayRound(file, events) {
  const store = openSqliteEventStore(file);
  const bus = await openKafkaBus({ brokers: brokerList, clientId: 'bench-relay' });
  const bookkeeping = new RelayBookkeeping(file);
  // Each round relays the whole log again under a new relay name (its own checkpoint).
  const relay = new Relay({ store, bus, bookkeeping, name: `bench-${randomUUID()}` });
  let last;
  for await (const record of store.readAll()) last = record.position;
  const start = process.hrtime.bigint();
  await relay.start();
  while (bookkeeping.checkpoint(relay.name) !== last) await new Promise((r) => setTimeout(r, 5));
  const secondsTaken = Number(process.hrtime.bigint() - start) / 1e9;
  await relay.stop();
  await bus.close();
  await store.close();
  bookkeeping.close();
  return events / secondsTaken;
}

async function rawRound(file, events) {
  const store = openSqliteEventStore(file);
  const messages = [];
  for await (const record of store.readAll()) messages.push(toTicketMessage(record));
  await store.close();
  const kafka = new Kafka({ clientId: 'bench-raw', brokers: brokerList, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench.raw.${randomUUID()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const start = process.hrtime.bigint();
  for (let i = 0; i < messages.length; i += 500) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500).map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
  }
  const secondsTaken = Number(process.hrtime.bigint() - start) / 1e9;
  await producer.disconnect();
  return events / secondsTaken;
}

async function latency(file) {
  const store = openSqliteEventStore(file);
  const bus = await openKafkaBus({ brokers: brokerList, clientId: 'bench-latency' });
  const bookkeeping = new RelayBookkeeping(file);
  const relay = new Relay({ store, bus, bookkeeping, name: `latency-${randomUUID()}` });
  const sentAt = new Map();
  const latencies = [];
  const subscription = await bus.subscribe({ group: `latency-${randomUUID()}`, topics: [TICKET_EVENTS_TOPIC] }, (m) => {
    const sent = sentAt.get(m.headers.ce_id);
    if (sent !== undefined) latencies.push(performance.now() - sent);
    return Promise.resolve();
  });
  await relay.start();
  const engine = new CommandEngine({ store, clock: { now: () => new Date() }, policy: defaultDecisionPolicy });
  const admin = { id: 'alice', role: 'customer-admin', tenant: 'contoso' };
  const total = rate * seconds;
  const begin = performance.now();
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const result = await engine.handle({ type: 'open', commandId: randomUUID(), actor: admin, tenant: 'contoso', plan: 'enterprise', region: 'US', category: 'technical', severity: 'B', title: 'Latency probe', contact: { email: 'alice@contoso.example', preferred: 'email' }, language: 'en' });
    if (result.ok) sentAt.set(result.events[0].id, due);
  }
  const deadline = performance.now() + 30_000;
  while (latencies.length < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await subscription.close();
  await relay.stop();
  await bus.close();
  await store.close();
  bookkeeping.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { received: latencies.length, total, p50: pct(50), p99: pct(99) };
}

try {
  const file = join(dir, 'log.db');
  const events = await generateLog(file, tickets);
  await rawRound(file, events);
  const ours = [];
  const raw = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) ours.push(await relayRound(file, events));
    raw.push(await rawRound(file, events));
    if (round % 2 === 1) ours.push(await relayRound(file, events));
  }
  console.log(`${events.toLocaleString('en-US')} events, ${rounds} rounds, medians:`);
  report('Relay (store -> CloudEvents -> Kafka, checkpointed) vs raw kafkajs batch produce', 'events/s', median(ours), median(raw), 0.5);
  // A fresh, empty log: the relay has nothing to catch up on, only live commands.
  const l = await latency(join(dir, 'latency.db'));
  console.log(`End-to-end latency, command accepted -> consumer, at ${rate} commands/s for ${seconds} s:`);
  console.log(`  p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms (${l.received} of ${l.total} received)`);
} finally {
  if (ownBroker) execFileSync('bash', [join(kafkaScripts, 'stop'), '--port', '19692'], { stdio: 'inherit' });
}
