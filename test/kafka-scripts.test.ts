import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

// infra/kafka/start launches the broker through `bash -c 'echo $$ >pidfile; exec java …'` and then
// asks is_our_broker whether that pid is its broker. During the exec the kernel shows the process
// with no command line for a moment; taking that moment for "another program" made a start fail
// with "Kafka exited during start-up" while the broker was starting fine (seen once in CI).
const lib = join(import.meta.dirname, '..', 'infra', 'kafka', 'lib.sh');
const dir = mkdtempSync(join(tmpdir(), 'caseflow-kafka-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PORT = '65000';
const LAUNCHES = 500;

/** Runs `script` in bash with lib.sh sourced; what it prints is returned. */
const withLib = (script: string): string => {
  const result = spawnSync('bash', ['-c', `set -u; . "$LIB"; ${script}`], {
    encoding: 'utf8',
    env: { ...process.env, LIB: lib, PORT, PIDFILE: join(dir, 'broker.pid'), LAUNCHES: String(LAUNCHES) },
  });
  expect(result.stderr).toBe('');
  return result.stdout.trim();
};

// A stand-in broker: python sleeping, with a broker's words on its command line.
const launch = `
  rm -f "$PIDFILE"
  bash -c 'echo $$ >"$PIDFILE"; exec "$@"' kafka-broker python3 -c 'import time; time.sleep(30)' \\
    java kafka.Kafka "$(run_dir "$PORT")/server.properties" &
  while [ ! -s "$PIDFILE" ]; do :; done
  pid=$(cat "$PIDFILE")`;

describe("infra/kafka's lib.sh", () => {
  it('recognises a broker asked about the moment it execs, every time', () => {
    const misjudged = withLib(`
      misjudged=0
      for _ in $(seq 1 "$LAUNCHES"); do
        ${launch}
        is_our_broker "$pid" "$PORT" || misjudged=$((misjudged + 1))
        kill "$pid"
        wait
      done
      echo "$misjudged"`);
    expect(misjudged).toBe('0');
  });

  it('does not take another port’s broker, another program, or a finished process for its broker', () => {
    const answers = withLib(`
      ${launch}
      sleep 0.3
      is_our_broker "$pid" "$PORT" && echo ours || echo not-ours
      is_our_broker "$pid" $((PORT + 2)) && echo ours || echo not-ours
      kill "$pid"
      wait
      is_our_broker "$pid" "$PORT" && echo ours || echo not-ours
      sleep 30 &
      is_our_broker $! "$PORT" && echo ours || echo not-ours
      kill $!
      wait`);
    expect(answers.split('\n')).toEqual(['ours', 'not-ours', 'not-ours', 'not-ours']);
  });

  it('mints cluster ids as Kafka does, never starting with "-" (the storage tool took one that did for an option)', () => {
    // One id in 64 started with "-" before: among 20,000, some always would.
    const ids = withLib('new_cluster_id 20000').split('\n');
    expect(ids).toHaveLength(20_000);
    expect(new Set(ids).size).toBe(20_000);
    expect(ids.filter((id) => !/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).toEqual([]);
  });
});
