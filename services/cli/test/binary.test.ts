/**
 * The real `caseflow` binary (services/cli/dist/main.js, built by `pnpm -s build`), run as a
 * process in a temp directory so that the default `./data` lands there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TicketView } from '@caseflow/engine';
import { AGENT, HOUR, T0, at, countEvents, openArgs, removeTempDirs, storedEvents, tempDir } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Exited {
  status: number | null;
  stdout: string;
  stderr: string;
}

function caseflow(cwd: string, ...argv: string[]): Exited {
  const result = spawnSync(process.execPath, [MAIN, ...argv], { cwd, encoding: 'utf8', timeout: 15_000 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm -s build\` before the CLI tests`);
});
afterAll(removeTempDirs);

describe('the caseflow binary', () => {
  it('uses ./data when --data is absent: open prints the id, show and history read it back', async () => {
    const cwd = tempDir();
    const opened = caseflow(cwd, '--now', T0, ...openArgs());
    expect(opened.stderr).toBe('');
    expect(opened.status).toBe(0);
    expect(opened.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    const id = opened.stdout.trim();

    const data = join(cwd, 'data');
    expect(existsSync(join(data, 'caseflow.db'))).toBe(true);
    expect((await storedEvents(data)).map((e) => e.stream)).toEqual([`ticket-${id}`]);

    const triaged = caseflow(cwd, 'ticket', 'triage', id, '--as', AGENT, '--severity', 'A', '--now', at(HOUR), '--json');
    expect(triaged).toMatchObject({ status: 0, stderr: '' });
    expect(JSON.parse(triaged.stdout) as TicketView).toMatchObject({ id, state: 'triaged', severity: 'A', revision: 1 });

    const shown = caseflow(cwd, 'ticket', 'show', id, '--json');
    expect(shown).toMatchObject({ status: 0, stderr: '' });
    expect(JSON.parse(shown.stdout)).toEqual(JSON.parse(triaged.stdout));

    const history = caseflow(cwd, 'ticket', 'history', id);
    expect(history.status).toBe(0);
    expect(history.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(await countEvents(data)).toBe(2);
  });

  it('--data DIR is used instead of ./data', async () => {
    const cwd = tempDir();
    const elsewhere = join(tempDir(), 'store');
    const opened = caseflow(cwd, '--data', elsewhere, '--now', T0, ...openArgs());
    expect(opened).toMatchObject({ status: 0, stderr: '' });
    expect(await countEvents(elsewhere)).toBe(1);
    expect(existsSync(join(cwd, 'data'))).toBe(false);

    // A relative --data is relative to the working directory.
    const relative = caseflow(cwd, '--data', 'other', '--now', T0, ...openArgs());
    expect(relative.status).toBe(0);
    expect(await countEvents(join(cwd, 'other'))).toBe(1);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('a refusal exits 2 with one line on stderr and writes nothing', async () => {
    const cwd = tempDir();
    const id = caseflow(cwd, '--now', T0, ...openArgs()).stdout.trim();
    const refused = caseflow(cwd, 'ticket', 'resolve', id, '--as', AGENT, '--text', 'done', '--now', at(HOUR));
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      'caseflow: refused (invalid_transition): a ticket in state opened does not accept resolve; it accepts triage, close, note, assign, escalate, change-severity\n',
    );
    const unknown = caseflow(cwd, 'ticket', 'show', 'no-such-ticket');
    expect(unknown).toEqual({ status: 2, stdout: '', stderr: 'caseflow: refused (not_found): no ticket no-such-ticket\n' });
    expect(await countEvents(join(cwd, 'data'))).toBe(1);
  });

  it('a usage error exits 2 and writes nothing', async () => {
    const cwd = tempDir();
    const id = caseflow(cwd, '--now', T0, ...openArgs()).stdout.trim();
    const unknownOption = caseflow(cwd, 'ticket', 'note', id, '--as', AGENT, '--text', 'hi', '--loud');
    expect(unknownOption).toMatchObject({ status: 2, stdout: '' });
    expect(unknownOption.stderr).toContain("unknown option '--loud'");
    const badActor = caseflow(cwd, 'ticket', 'note', id, '--as', 'sam', '--text', 'hi');
    expect(badActor).toMatchObject({ status: 2, stdout: '' });
    expect(badActor.stderr).toMatch(/^caseflow: --as needs role:id@tenant/);
    const badNow = caseflow(cwd, '--now', 'tomorrow', 'ticket', 'note', id, '--as', AGENT, '--text', 'hi');
    expect(badNow).toMatchObject({ status: 2, stdout: '' });
    expect(badNow.stderr).toMatch(/^caseflow: --now needs an ISO 8601 instant/);
    expect(await countEvents(join(cwd, 'data'))).toBe(1);
  });

  it('demo exits 0 and leaves two tickets in the store', async () => {
    const cwd = tempDir();
    const demo = caseflow(cwd, 'demo', '--data', 'demo-data', '--now', '2026-03-01T12:00:00Z');
    expect(demo).toMatchObject({ status: 0, stderr: '' });
    expect(demo.stdout).toContain('Explore it:');
    const events = await storedEvents(join(cwd, 'demo-data'));
    expect(new Set(events.map((e) => e.stream)).size).toBe(2);
    const followUp = events.at(-1);
    expect(followUp?.type).toBe('TicketOpened');
    expect(followUp?.data.followUpOf).toBe(events[0]?.stream.replace(/^ticket-/, ''));
  });
});
