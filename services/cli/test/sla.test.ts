/**
 * `caseflow sla due`, `caseflow sla policy show` and `caseflow sla policy check`, against the
 * seed table of DESIGN.md ("SLA policy") and policies saved, edited and passed back as files.
 * 2026-11-20 is a Friday; 12:00Z is 20:00 in Shanghai, 16:00Z is midnight there.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { defaultPolicy } from '@caseflow/sla';
import { cli, removeTempDirs } from './helpers.js';
import type { DueJson } from './sla-helpers.js';
import { caseflowBinary, due, dueArgs, expectBadInput, printed, tempFile, withValueAt } from './sla-helpers.js';

afterAll(removeTempDirs);

const DEFAULT = 'm365-default@1';
const OPENED = '2026-11-20T12:00:00Z';
const IN_1H = '2026-11-20T13:00:00Z';
const NEXT_DAY = '2026-11-21T12:00:00Z';

type Cell = [plan: string, severity: string, region: string, expected: Omit<DueJson, 'policy'>];

/** DESIGN.md's seed table for technical requests, each cell asked for at OPENED. */
const SEED_TABLE: Cell[] = [
  ['business', 'A', 'US', { dueAt: IN_1H, target: 'PT1H', calendar: '24x7' }],
  ['business', 'B', 'US', { dueAt: null, target: null, calendar: 'region:US' }],
  ['business', 'C', 'US', { dueAt: null, target: null, calendar: 'region:US' }],
  ['enterprise', 'A', 'US', { dueAt: IN_1H, target: 'PT1H', calendar: '24x7' }],
  ['enterprise', 'B', 'US', { dueAt: NEXT_DAY, target: 'PT24H', calendar: '24x7' }],
  ['enterprise', 'C', 'US', { dueAt: null, target: null, calendar: '24x7' }],
  ['frontline', 'A', 'GB', { dueAt: IN_1H, target: 'PT1H', calendar: '24x7' }],
  ['frontline', 'B', 'GB', { dueAt: NEXT_DAY, target: 'PT24H', calendar: '24x7' }],
  ['frontline', 'C', 'GB', { dueAt: null, target: null, calendar: '24x7' }],
  ['elevated', 'A', 'DE', { dueAt: IN_1H, target: 'PT1H', calendar: '24x7' }],
  ['elevated', 'B', 'DE', { dueAt: '2026-11-20T14:00:00Z', target: 'PT2H', calendar: '24x7' }],
  ['elevated', 'C', 'DE', { dueAt: '2026-11-20T16:00:00Z', target: 'PT4H', calendar: '24x7' }],
  // B: 20:00–24:00 Shanghai on the 20th, then 09:00–20:00 on the 21st (15 h = one business day).
  ['21vianet', 'B', 'CN', { dueAt: NEXT_DAY, target: 'PT15H', calendar: '21vianet' }],
  // C: 4 h + 15 h + 15 h + 11 h = 45 h, ending 20:00 Shanghai on the 23rd.
  ['21vianet', 'C', 'CN', { dueAt: '2026-11-23T12:00:00Z', target: 'PT45H', calendar: '21vianet' }],
];

describe('sla due: the seed table for technical requests', () => {
  it.each(SEED_TABLE)('%s %s (region %s)', async (plan, severity, region, expected) => {
    expect(await due(...dueArgs(plan, severity, 'technical', region, OPENED))).toEqual({ ...expected, policy: DEFAULT });
  });

  it('21vianet A is refused without the advanced agreement and is 1 h around the clock with it', async () => {
    const line = await expectBadInput(['sla', 'due', ...dueArgs('21vianet', 'A', 'technical', 'CN', OPENED)], /severity A/);
    expect(line).toBe(`caseflow: refused (severity_not_allowed): severity A on the 21vianet plan needs the advanced online service agreement (policy ${DEFAULT})`);
    expect(await due(...dueArgs('21vianet', 'A', 'technical', 'CN', OPENED, '--advanced-agreement'))).toEqual({
      dueAt: IN_1H,
      target: 'PT1H',
      calendar: '24x7',
      policy: DEFAULT,
    });
    // The agreement changes nothing for B.
    expect(await due(...dueArgs('21vianet', 'B', 'technical', 'CN', OPENED, '--advanced-agreement'))).toMatchObject({ dueAt: NEXT_DAY, target: 'PT15H' });
  });

  it('the examples of the issue', async () => {
    expect(await due(...dueArgs('enterprise', 'B', 'technical', 'US', '2026-11-20T16:00:00Z'))).toEqual({
      dueAt: '2026-11-21T16:00:00Z',
      target: 'PT24H',
      calendar: '24x7',
      policy: DEFAULT,
    });
    // 20:00 Shanghai, given with its offset.
    expect(await due(...dueArgs('21vianet', 'B', 'technical', 'CN', '2026-11-20T20:00:00+08:00'))).toEqual({
      dueAt: '2026-11-21T12:00:00Z',
      target: 'PT15H',
      calendar: '21vianet',
      policy: DEFAULT,
    });
  });

  it('21vianet counts 09:00–24:00 Shanghai every day, whatever the region and the weekday', async () => {
    // Opened at 03:00 Shanghai on Saturday: 09:00–24:00 that day.
    expect(await due(...dueArgs('21vianet', 'B', 'technical', 'CN', '2026-11-20T19:00:00Z'))).toMatchObject({ dueAt: '2026-11-21T16:00:00Z', target: 'PT15H' });
    // The ticket's region does not change the 21vianet calendar.
    expect(await due(...dueArgs('21vianet', 'C', 'technical', 'US', OPENED))).toEqual({
      dueAt: '2026-11-23T12:00:00Z',
      target: 'PT45H',
      calendar: '21vianet',
      policy: DEFAULT,
    });
  });

  it('no commitment is counted on the ticket\'s region, or the fallback region\'s when it is not listed', async () => {
    expect(await due(...dueArgs('business', 'B', 'technical', 'DE', OPENED))).toEqual({ dueAt: null, target: null, calendar: 'region:DE', policy: DEFAULT });
    expect(await due(...dueArgs('business', 'C', 'technical', 'AU', OPENED))).toEqual({ dueAt: null, target: null, calendar: 'region:AU', policy: DEFAULT });
    expect(await due(...dueArgs('business', 'B', 'technical', 'FR', OPENED))).toEqual({ dueAt: null, target: null, calendar: 'region:US', policy: DEFAULT });
  });

  it('--json prints the same single JSON line', async () => {
    const ran = await cli(['--json', 'sla', 'due', ...dueArgs('elevated', 'B', 'technical', 'US', OPENED)]);
    expect(JSON.parse(printed(ran))).toEqual({ dueAt: '2026-11-20T14:00:00Z', target: 'PT2H', calendar: '24x7', policy: DEFAULT });
  });
});

describe('sla due: billing and pre-sales', () => {
  it.each(['business', 'enterprise', 'frontline', 'elevated', '21vianet'])('%s: billing and pre-sales A are refused, B has no commitment', async (plan) => {
    for (const category of ['billing', 'presales']) {
      const line = await expectBadInput(['sla', 'due', ...dueArgs(plan, 'A', category, 'US', OPENED, '--advanced-agreement')], /refused/);
      expect(line).toBe(`caseflow: refused (severity_not_allowed): ${category} requests are at most severity B (policy ${DEFAULT})`);
    }
    const billingCalendar = plan === '21vianet' ? 'region:CN' : 'region:US';
    expect(await due(...dueArgs(plan, 'B', 'billing', 'US', OPENED))).toEqual({ dueAt: null, target: null, calendar: billingCalendar, policy: DEFAULT });
    expect(await due(...dueArgs(plan, 'C', 'presales', 'US', OPENED))).toEqual({ dueAt: null, target: null, calendar: 'region:US', policy: DEFAULT });
  });
});

describe('sla due: bad input', () => {
  it('exits 2 with one line for a bad option', async () => {
    await expectBadInput(['sla', 'due', ...dueArgs('enterprise', 'B', 'technical', 'US', '2026-11-20T16:00:00')], /--opened needs an ISO 8601 instant with Z or an offset/);
    await expectBadInput(['sla', 'due', ...dueArgs('enterprise', 'B', 'technical', 'us', OPENED)], /--region needs an ISO country code such as US, not "us"/);
    await expectBadInput(['sla', 'due', ...dueArgs('enterprise', 'D', 'technical', 'US', OPENED)], /--severity.*'D' is invalid/);
    await expectBadInput(['sla', 'due', ...dueArgs('premier', 'B', 'technical', 'US', OPENED)], /--plan.*'premier' is invalid/);
    await expectBadInput(['sla', 'due', ...dueArgs('enterprise', 'B', 'legal', 'US', OPENED)], /--category.*'legal' is invalid/);
    await expectBadInput(['sla', 'due', '--plan', 'enterprise', '--severity', 'B', '--category', 'technical', '--region', 'US'], /required option '--opened/);
  });

  it('exits 2 for a missing, broken or invalid --policy', async () => {
    const missing = `${tempFile('x.json', {})}.missing`;
    await expectBadInput(['sla', 'due', ...dueArgs('enterprise', 'B', 'technical', 'US', OPENED, '--policy', missing)], /cannot read the SLA policy .*ENOENT/);
    const broken = tempFile('broken.json', '{"id": ');
    await expectBadInput(['sla', 'due', ...dueArgs('enterprise', 'B', 'technical', 'US', OPENED, '--policy', broken)], /is not valid JSON/);
    const invalid = tempFile('invalid.json', withValueAt(defaultPolicy, ['warningThreshold'], 1.5));
    const line = await expectBadInput(['sla', 'due', ...dueArgs('enterprise', 'B', 'technical', 'US', OPENED, '--policy', invalid)], /warningThreshold: /);
    expect(line).toContain(invalid);
  });
});

/** `sla policy show --json`, saved to a temp file; returns the file and the JSON. */
async function savedDefaultPolicy(): Promise<{ file: string; json: unknown }> {
  const text = printed(await cli(['sla', 'policy', 'show', '--json']));
  const file = tempFile('policy.json', text);
  return { file, json: JSON.parse(readFileSync(file, 'utf8')) as unknown };
}

const ENTERPRISE_TECHNICAL_B = ['clocks', 0, 'targets', 'enterprise', 'technical', 'B'];

describe('sla policy show', () => {
  it('prints the default policy readably: its label and the seed table', async () => {
    const text = printed(await cli(['sla', 'policy', 'show']));
    expect(() => JSON.parse(text) as unknown).toThrow();
    const lines = text.split('\n');
    expect(lines[0]).toBe(`SLA policy ${DEFAULT}`);
    const row = (plan: string, category: string) => lines.find((line) => new RegExp(`^\\s+${plan}\\s+${category}\\s`).test(line));
    expect(row('business', 'technical')).toMatch(/A PT1H \(24x7\)\s+B no-commitment \(region\)\s+C no-commitment \(region\)$/);
    expect(row('enterprise', 'technical')).toMatch(/A PT1H \(24x7\)\s+B PT24H \(24x7\)\s+C no-commitment \(24x7\)$/);
    expect(row('frontline', 'technical')).toMatch(/A PT1H \(24x7\)\s+B PT24H \(24x7\)\s+C no-commitment \(24x7\)$/);
    expect(row('elevated', 'technical')).toMatch(/A PT1H \(24x7\)\s+B PT2H \(24x7\)\s+C PT4H \(24x7\)$/);
    expect(row('21vianet', 'technical')).toMatch(/A PT1H \(24x7\)\s+B 1 business day\(s\) \(21vianet\)\s+C 3 business day\(s\) \(21vianet\)$/);
    expect(text).toMatch(/warning at 75 % of a target; reopen window P14D/);
    expect(text).toMatch(/A needs the advanced agreement on 21vianet/);
  });

  it('--json prints the default policy as data', async () => {
    const { json } = await savedDefaultPolicy();
    expect(json).toEqual(defaultPolicy);
  });

  it('--policy shows the given policy, readable or as JSON', async () => {
    const { json } = await savedDefaultPolicy();
    const edited = withValueAt(withValueAt(json, [...ENTERPRISE_TECHNICAL_B, 'within'], 'PT8H'), ['version'], 3);
    const file = tempFile('edited.json', edited);
    const text = printed(await cli(['sla', 'policy', 'show', '--policy', file]));
    expect(text.split('\n')[0]).toBe('SLA policy m365-default@3');
    expect(text).toMatch(/enterprise\s+technical\s+A PT1H \(24x7\)\s+B PT8H \(24x7\)/);
    expect(JSON.parse(printed(await cli(['sla', 'policy', 'show', '--policy', file, '--json'])))).toEqual(edited);
  });

  it('an invalid --policy exits 2', async () => {
    const file = tempFile('invalid.json', withValueAt(defaultPolicy, ['warningThreshold'], 0));
    await expectBadInput(['sla', 'policy', 'show', '--policy', file], /warningThreshold/);
  });
});

describe('the round trip: show --json, edit, pass back with --policy', () => {
  const enterpriseB = (...extra: string[]) => dueArgs('enterprise', 'B', 'technical', 'US', '2026-11-20T16:00:00Z', ...extra);

  it('the saved default policy is valid and gives the same answers', async () => {
    const { file } = await savedDefaultPolicy();
    expect(printed(await cli(['sla', 'policy', 'check', file]))).toBe(`${file}: valid SLA policy ${DEFAULT}`);
    expect(await due(...enterpriseB('--policy', file))).toEqual(await due(...enterpriseB()));
    expect(await due(...dueArgs('21vianet', 'C', 'technical', 'CN', OPENED, '--policy', file))).toMatchObject({ dueAt: '2026-11-23T12:00:00Z', target: 'PT45H' });
  });

  it('enterprise technical B at PT8H: the new deadline under the same label', async () => {
    const { json } = await savedDefaultPolicy();
    const file = tempFile('pt8h.json', withValueAt(json, [...ENTERPRISE_TECHNICAL_B, 'within'], 'PT8H'));
    expect(printed(await cli(['sla', 'policy', 'check', file]))).toBe(`${file}: valid SLA policy ${DEFAULT}`);
    expect(await due(...enterpriseB('--policy', file))).toEqual({ dueAt: '2026-11-21T00:00:00Z', target: 'PT8H', calendar: '24x7', policy: DEFAULT });
    // Other cells are as they were.
    expect(await due(...dueArgs('frontline', 'B', 'technical', 'US', '2026-11-20T16:00:00Z', '--policy', file))).toMatchObject({ dueAt: '2026-11-21T16:00:00Z' });
    // Without --policy, the built-in policy still answers.
    expect(await due(...enterpriseB())).toMatchObject({ dueAt: '2026-11-21T16:00:00Z', target: 'PT24H' });
  });

  it('a bumped version shows in the label; a business-hours target is counted on its calendar', async () => {
    const { json } = await savedDefaultPolicy();
    let edited = withValueAt(json, ['version'], 2);
    edited = withValueAt(edited, [...ENTERPRISE_TECHNICAL_B], { within: 'PT8H', calendar: 'region' });
    edited = withValueAt(edited, ['clocks', 0, 'targets', '21vianet', 'technical', 'B', 'within'], { businessDays: 2 });
    const file = tempFile('v2.json', edited);
    expect(printed(await cli(['sla', 'policy', 'check', file, '--json']))).toBe(JSON.stringify({ ok: true, policy: 'm365-default@2' }, null, 2));
    // Friday 11:00 EST + 8 h on New York's 09:00–17:00: 6 h on Friday, 2 h on Monday.
    expect(await due(...enterpriseB('--policy', file))).toEqual({ dueAt: '2026-11-23T16:00:00Z', target: 'PT8H', calendar: 'region:US', policy: 'm365-default@2' });
    // On Berlin's hours instead for a German ticket: Friday 17:00 CET, so all of it on Monday 09:00–17:00 CET.
    expect(await due(...dueArgs('enterprise', 'B', 'technical', 'DE', '2026-11-20T16:00:00Z', '--policy', file))).toEqual({
      dueAt: '2026-11-23T16:00:00Z',
      target: 'PT8H',
      calendar: 'region:DE',
      policy: 'm365-default@2',
    });
    // Two 21vianet business days: 30 h from 20:00 Shanghai on the 20th: 4 + 15 + 11.
    expect(await due(...dueArgs('21vianet', 'B', 'technical', 'CN', OPENED, '--policy', file))).toEqual({
      dueAt: '2026-11-22T12:00:00Z',
      target: 'PT30H',
      calendar: '21vianet',
      policy: 'm365-default@2',
    });
  });

  it('a policy that lets 21vianet A go without the agreement, and one that refuses A on a plan', async () => {
    const { json } = await savedDefaultPolicy();
    const open = tempFile('open.json', withValueAt(json, ['availability', 'severityARequiresAgreement'], []));
    expect(await due(...dueArgs('21vianet', 'A', 'technical', 'CN', OPENED, '--policy', open))).toEqual({ dueAt: IN_1H, target: 'PT1H', calendar: '24x7', policy: DEFAULT });
    const closed = tempFile('closed.json', withValueAt(json, ['availability', 'plansWithoutSeverityA'], ['business']));
    const line = await expectBadInput(['sla', 'due', ...dueArgs('business', 'A', 'technical', 'US', OPENED, '--policy', closed)], /refused/);
    expect(line).toBe(`caseflow: refused (severity_not_allowed): the business plan does not offer severity A (policy ${DEFAULT})`);
  });
});

describe('sla policy check', () => {
  it('a valid policy: exit 0 and one line naming it', async () => {
    const file = tempFile('default.json', defaultPolicy);
    const ran = await cli(['sla', 'policy', 'check', file]);
    expect(ran).toMatchObject({ code: 0, err: [], out: [`${file}: valid SLA policy ${DEFAULT}`] });
  });

  /** Runs `sla policy check` on a policy that must be invalid; returns the problem lines under the headline. */
  async function problemsOf(file: string): Promise<string[]> {
    const ran = await cli(['sla', 'policy', 'check', file]);
    expect({ code: ran.code, out: ran.out, texts: ran.err.length }).toEqual({ code: 2, out: [], texts: 1 });
    const [headline, ...problems] = ran.stderr.split('\n');
    expect(headline).toBe(`caseflow: ${file} is not a valid SLA policy:`);
    return problems.map((line) => line.trim());
  }

  it('names each problem with its path', async () => {
    let bad = withValueAt(defaultPolicy, ['clocks', 0, 'targets', 'business', 'technical', 'B'], 'tomorrow');
    bad = withValueAt(bad, ['warningThreshold'], 1.5);
    const problems = await problemsOf(tempFile('bad.json', bad));
    expect(problems).toHaveLength(2);
    expect(problems).toContainEqual(expect.stringMatching(/^clocks\.0\.targets\.business\.technical\.B: /));
    expect(problems).toContainEqual(expect.stringMatching(/^warningThreshold: /));
  });

  it('names problems deep inside targets, calendars and regions, and unknown fields', async () => {
    let bad = withValueAt(defaultPolicy, ['clocks', 0, 'targets', 'enterprise', 'technical', 'B', 'within'], 'P1M');
    bad = withValueAt(bad, ['clocks', 0, 'targets', 'elevated', 'technical', 'C'], undefined);
    bad = withValueAt(bad, ['calendars', '21vianet', 'zone'], 'Asia/Atlantis');
    bad = withValueAt(bad, ['regions', 'US', 'hours', 'mon'], [['09:00', '25:00']]);
    bad = { ...(bad as Record<string, unknown>), owner: 'nobody' };
    const problems = await problemsOf(tempFile('bad.json', bad));
    expect(problems).toHaveLength(5);
    for (const path of [
      'clocks.0.targets.enterprise.technical.B.within',
      'clocks.0.targets.elevated.technical.C',
      'calendars.21vianet.zone',
      'regions.US.hours.mon.0.1',
      'owner',
    ]) {
      expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${path.replaceAll('.', '\\.')}: `)));
    }
  });

  it('names references to calendars and regions the policy does not have', async () => {
    let bad = withValueAt(defaultPolicy, ['clocks', 0, 'targets', 'enterprise', 'technical', 'A', 'calendar'], 'nowhere');
    bad = withValueAt(bad, ['fallbackRegion'], 'FR');
    const problems = await problemsOf(tempFile('bad.json', bad));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^clocks\.0\.targets\.enterprise\.technical\.A\.calendar: nowhere is not one of the policy's calendars/),
        expect.stringMatching(/^fallbackRegion: region FR is not one of the policy's regions/),
      ]),
    );
    expect(problems).toHaveLength(2);
  });

  it('a missing file and invalid JSON', async () => {
    const missing = `${tempFile('x.json', {})}.missing`;
    expect(await problemsOf(missing)).toEqual([expect.stringMatching(new RegExp(`^cannot read the SLA policy ${missing.replaceAll('.', '\\.')}: ENOENT`))]);
    const broken = tempFile('broken.json', '{"id": "m365-default", ');
    expect(await problemsOf(broken)).toEqual([expect.stringMatching(/is not valid JSON/)]);
    expect(await problemsOf(tempFile('array.json', []))).toEqual([expect.stringMatching(/^\(policy\): /)]);
  });

  it('a missing file argument is a usage error', async () => {
    await expectBadInput(['sla', 'policy', 'check'], /missing required argument 'file'/);
  });
});

describe('the caseflow binary', () => {
  it('sla due prints one JSON line and exits 0', () => {
    const ran = caseflowBinary('sla', 'due', ...dueArgs('21vianet', 'B', 'technical', 'CN', '2026-11-20T12:00:00Z'));
    expect(ran).toEqual({
      status: 0,
      stdout: '{"dueAt":"2026-11-21T12:00:00Z","target":"PT15H","calendar":"21vianet","policy":"m365-default@1"}\n',
      stderr: '',
    });
  });

  it('sla due refuses a severity the policy does not allow: exit 2, one line, nothing on stdout', () => {
    const ran = caseflowBinary('sla', 'due', ...dueArgs('enterprise', 'A', 'billing', 'US', '2026-11-20T12:00:00Z'));
    expect(ran).toEqual({
      status: 2,
      stdout: '',
      stderr: 'caseflow: refused (severity_not_allowed): billing requests are at most severity B (policy m365-default@1)\n',
    });
  });
});
