// Shared helpers for the benchmarks: each prints our figure next to a raw baseline measured in the
// same run on the same machine, and the ratio between them. Absolute numbers on a shared machine
// are noisy; the ratio is what the goals are about.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `caseflow-bench-${name}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function timed(work) {
  const start = process.hrtime.bigint();
  const count = await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { count, seconds, rate: count / seconds };
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

export function report(title, unit, ours, raw, goal) {
  const ratio = ours / raw;
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  console.log(`${title}`);
  console.log(`  caseflow: ${fmt(ours)} ${unit}`);
  console.log(`  raw:      ${fmt(raw)} ${unit}`);
  console.log(`  ratio:    ${ratio.toFixed(2)}x (goal >= ${goal}x) ${ratio >= goal ? 'MET' : 'NOT MET'}`);
  return ratio;
}
