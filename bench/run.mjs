// Runs the benchmarks one after another (or the ones named): node bench/run.mjs [engine-commands] [replay] [rebuild] [calendar] [relay] [timers] [api]
// Each is a separate process so that one's heap and JIT state do not colour the next.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const all = ['engine-commands', 'replay', 'rebuild', 'calendar', 'relay', 'timers', 'api'];
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const unknown = chosen.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${all.join(', ')}`);
  process.exit(2);
}
for (const name of chosen.length > 0 ? chosen : all) {
  console.log(`\n== ${name}`);
  const script = fileURLToPath(new URL(`./${name}.mjs`, import.meta.url));
  const { status } = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
