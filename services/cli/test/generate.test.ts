import { afterAll, describe, expect, it } from '@jest/globals';
import { cli, countEvents, expectUsageError, json, storeFileIn, storedEvents, tempDir, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

const generate = (dir: string, ...argv: string[]) => cli(['--data', dir, 'dev', 'generate', ...argv]);
const opensIn = async (dir: string) => (await storedEvents(dir)).filter((e) => e.type === 'TicketOpened');

describe('caseflow dev generate', () => {
  it('given an empty store, writes the generated tickets into it and says how many', async () => {
    const dir = tempDir();

    const ran = await generate(dir, '--tickets', '40', '--seed', '3');

    expect({ code: ran.code, err: ran.err }).toEqual({ code: 0, err: [] });
    const stored = await storedEvents(dir);
    expect(ran.out).toEqual([`generated 40 tickets, ${stored.length} events into ${storeFileIn(dir)}`]);
    expect(await opensIn(dir)).toHaveLength(40);
    expect(new Set(stored.map((e) => e.stream)).size).toBe(40);
  });

  it('writes the same events for the same seed, and reports them as JSON with --json', async () => {
    const [first, second] = [tempDir(), tempDir()];
    const answer = json<{ tickets: number; events: number; file: string }>(await cli(['--data', first, '--json', 'dev', 'generate', '--tickets', '25', '--seed', '-8']));
    await generate(second, '--tickets', '25', '--seed', '-8');

    const [a, b] = [await storedEvents(first), await storedEvents(second)];
    expect(answer).toEqual({ tickets: 25, events: a.length, file: storeFileIn(first) });
    expect(b.map((e) => [e.id, e.recordedAt])).toEqual(a.map((e) => [e.id, e.recordedAt]));
  });

  it('starts the log at --start', async () => {
    const dir = tempDir();
    expect((await generate(dir, '--tickets', '5', '--seed', '1', '--start', '2027-02-01T08:00:00+01:00')).code).toBe(0);
    const [first] = await storedEvents(dir);
    expect(Date.parse(first?.recordedAt ?? '')).toBeGreaterThanOrEqual(Date.parse('2027-02-01T07:00:00Z'));
  });

  it('refuses a store that already holds events unless --append, and with --append adds another seed’s tickets', async () => {
    const dir = tempDir();
    await generate(dir, '--tickets', '10', '--seed', '1');

    await expectUsageError(dir, ['dev', 'generate', '--tickets', '10', '--seed', '2'], /already holds events; pass --append/);

    const appended = await generate(dir, '--tickets', '10', '--seed', '2', '--append');
    expect(appended.code).toBe(0);
    expect(await opensIn(dir)).toHaveLength(20);
  });

  it('refuses with --append a seed whose tickets the store already holds, writing nothing', async () => {
    const dir = tempDir();
    await generate(dir, '--tickets', '10', '--seed', '5');

    await expectUsageError(dir, ['dev', 'generate', '--tickets', '30', '--seed', '5', '--append'], /already holds the tickets of seed 5; nothing was written/);
  });

  it('refuses a ticket count or seed that is not a whole number, and an invalid start, in one line, writing nothing', async () => {
    const dir = tempDir();
    for (const tickets of ['0', '-3', '2.5', '1e3', 'many']) {
      await expectUsageError(dir, ['dev', 'generate', '--tickets', tickets, '--seed', '1'], new RegExp(`^caseflow: --tickets needs a positive whole number, not "${tickets}"$`));
    }
    for (const seed of ['1.5', 'x', '99999999999999999999']) {
      await expectUsageError(dir, ['dev', 'generate', '--tickets', '3', '--seed', seed], new RegExp(`^caseflow: --seed needs a whole number, not "${seed}"$`));
    }
    await expectUsageError(dir, ['dev', 'generate', '--tickets', '3', '--seed', '1', '--start', 'Monday'], /^caseflow: --start needs an ISO 8601 instant/);
    await expectUsageError(dir, ['dev', 'generate', '--tickets', '3'], /required option '--seed <s>' not specified/);
    expect(await countEvents(dir)).toBe(0);
  });

  it('refuses --server: it writes into the local store only', async () => {
    const dir = tempDir();
    await expectUsageError(dir, ['--server', 'http://127.0.0.1:9', 'dev', 'generate', '--tickets', '3', '--seed', '1'], /cannot act through --server/);
  });
});
