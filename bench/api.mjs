// HTTP command throughput with autocannon against `caseflow start`'s embedded defaults (SQLite
// store, in-process bus; relay, sla-timer and notifier running in the same process as in real
// use), next to the engine's in-process rate for the same commands, measured in the same run.
// The command is a public note on one of --tickets open tickets, round robin, so requests on one
// ticket rarely collide. Usage: node bench/api.mjs [--connections 10] [--seconds 10] [--tickets 200]
// BENCH_SERVICES=api runs the API without the workers beside it (as `caseflow serve api` would).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CommandEngine } from '@caseflow/engine';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { decisionPolicyOf, defaultPolicy } from '@caseflow/sla';
import { prepareDevMode, startSystem } from '@caseflow/system';
import { arg, tempDir, timed } from './lib.mjs';

const connections = arg('connections', 10);
const seconds = arg('seconds', 10);
const ticketCount = arg('tickets', 200);
const dir = tempDir('api');
const services = (process.env.BENCH_SERVICES ?? 'api,relay,sla-timer,notifier').split(',');

const openBody = { category: 'technical', severity: 'B', title: 'Mail flow down', contact: { email: 'alice@contoso.example', preferred: 'email' }, language: 'en' };
const noteBody = JSON.stringify({ text: 'Still investigating the connector.', visibility: 'public' });

async function apiRun() {
  const dataDir = join(dir, 'api');
  const dev = await prepareDevMode(dataDir, new Date());
  const system = await startSystem({ dataDir, port: 0, services, identity: { secret: dev.secret }, directory: dev.directory, notifierDirectory: dev.notifierDirectory, log: () => undefined });
  const { users } = JSON.parse(readFileSync(dev.credentialsFile, 'utf8'));
  const tokenOf = (name) => users.find((u) => u.name === name).token;
  const admin = { authorization: `Bearer ${tokenOf('alice@contoso')}`, 'content-type': 'application/json' };
  const agent = { authorization: `Bearer ${tokenOf('sam@support')}`, 'content-type': 'application/json' };
  const ids = [];
  for (let i = 0; i < ticketCount; i++) {
    const response = await fetch(`${system.url}/v1/tickets`, { method: 'POST', headers: admin, body: JSON.stringify(openBody) });
    if (response.status !== 201) throw new Error(`open answered ${response.status}: ${await response.text()}`);
    ids.push((await response.json()).id);
  }
  let next = 0;
  const result = await autocannon({
    url: system.url,
    connections,
    duration: seconds,
    requests: [{ method: 'POST', headers: agent, body: noteBody, setupRequest: (request) => ({ ...request, path: `/v1/tickets/${ids[next++ % ids.length]}/note` }) }],
  });
  await system.stop();
  return result;
}

async function engineRun() {
  const store = openSqliteEventStore(join(dir, 'engine.db'));
  let now = Date.now();
  const engine = new CommandEngine({ store, clock: { now: () => new Date((now += 1)) }, policy: decisionPolicyOf(defaultPolicy) });
  const admin = { id: 'alice@contoso', role: 'customer-admin', tenant: 'contoso' };
  const agent = { id: 'sam@support', role: 'agent', tenant: 'support' };
  const ids = [];
  for (let i = 0; i < ticketCount; i++) {
    const r = await engine.handle({ type: 'open', commandId: `open-${i}`, actor: admin, tenant: 'contoso', plan: 'enterprise', region: 'US', ...openBody });
    ids.push(r.ticketId);
  }
  // As many in flight as autocannon has connections, for the same number of seconds.
  let count = 0;
  const deadline = Date.now() + seconds * 1000;
  const worker = async (w) => {
    for (let i = w; Date.now() < deadline; i += connections) {
      const r = await engine.handle({ type: 'note', commandId: `note-${w}-${i}`, ticketId: ids[i % ids.length], actor: agent, text: 'Still investigating the connector.', visibility: 'public' });
      if (!r.ok) throw new Error(`${r.rejection.code}: ${r.rejection.message}`);
      count++;
    }
  };
  const { seconds: took } = await timed(async () => {
    await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
    return count;
  });
  await store.close();
  return count / took;
}

const http = await apiRun();
const inProcess = await engineRun();
const ok = http.requests.total - http.non2xx;
const rate = ok / http.duration;
console.log(`POST /v1/tickets/{id}/note, ${connections} connections, ${seconds} s, ${ticketCount} tickets, embedded defaults (${services.join(', ')} in the process)`);
console.log(`  API:        ${Math.round(rate).toLocaleString('en-US')} commands/s (${http.non2xx} non-2xx, ${http.errors} errors)`);
console.log(`  latency:    p50 ${http.latency.p50} ms, p99 ${http.latency.p99} ms`);
console.log(`  engine:     ${Math.round(inProcess).toLocaleString('en-US')} commands/s in-process, same commands and concurrency`);
console.log(`  ratio:      ${(rate / inProcess).toFixed(2)}x of the in-process rate`);
if (http.non2xx > 0 || http.errors > 0) process.exit(1);
