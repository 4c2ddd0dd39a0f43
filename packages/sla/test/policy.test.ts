import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPolicy } from '../src/default-policy.js';
import { loadPolicy } from '../src/load-policy.js';
import type { ClockDefinition, SlaPolicy } from '../src/policy.js';
import { PolicyError, formatPath, parsePolicy, policyFor } from '../src/policy.js';
import { story } from './story.js';

/**
 * A copy of the default policy, changed by `edit` (which gets its first clock too). Copied
 * through JSON: the default shares target objects between cells, and each cell must change alone.
 */
function variant(edit: (policy: SlaPolicy, clock: ClockDefinition) => void): unknown {
  const policy = JSON.parse(JSON.stringify(defaultPolicy)) as SlaPolicy;
  const [clock] = policy.clocks;
  if (clock === undefined) throw new Error('the default policy has no clock');
  edit(policy, clock);
  return policy;
}

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parsePolicy(input);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  }
  throw new Error('the policy was accepted');
}

const FIRST_TARGETS = 'clocks[0].targets';

describe('policy validation names every problem by its path', () => {
  it('needs every plan × category × severity target', () => {
    const issues = issuesOf(
      variant((_, clock) => {
        Reflect.deleteProperty(clock.targets.business.technical, 'B');
        Reflect.deleteProperty(clock.targets['21vianet'], 'presales');
      }),
    );
    expect(issues).toEqual([
      { path: `${FIRST_TARGETS}.business.technical.B`, message: 'required' },
      { path: `${FIRST_TARGETS}.21vianet.presales`, message: 'required' },
    ]);
  });

  it('accepts a target for a severity that availability forbids: it is just unused', () => {
    const policy = parsePolicy(variant((_, clock) => (clock.targets.enterprise.billing.A = { within: 'PT1H', calendar: '24x7' })));
    expect(policy.clocks[0]?.targets.enterprise.billing.A).toEqual({ within: 'PT1H', calendar: '24x7' });
  });

  it('refuses durations that are not working time', () => {
    const issues = issuesOf(
      variant((p, clock) => {
        const technical = clock.targets.elevated.technical;
        technical.A.within = 'P1M';
        technical.B.within = 'PT0S';
        technical.C.within = 'soon';
        clock.targets.enterprise.technical.B.within = { businessDays: 0 };
        p.collaborationWindow.within = 'no-commitment';
      }),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      'collaborationWindow.within',
      `${FIRST_TARGETS}.enterprise.technical.B.within.businessDays`,
      `${FIRST_TARGETS}.elevated.technical.A.within`,
      `${FIRST_TARGETS}.elevated.technical.B.within`,
      `${FIRST_TARGETS}.elevated.technical.C.within`,
    ]);
    expect(issues[2]?.message).toMatch(/without years or months/);
  });

  it('keeps thresholds strictly between 0 and 1', () => {
    expect(issuesOf(variant((p) => (p.warningThreshold = 1))).map((issue) => issue.path)).toEqual(['warningThreshold']);
    expect(issuesOf(variant((p) => (p.warningThreshold = 0))).map((issue) => issue.path)).toEqual(['warningThreshold']);
    expect(parsePolicy(variant((p) => (p.warningThreshold = 0.5))).warningThreshold).toBe(0.5);
  });

  it('refuses calendars and regions that the policy does not define', () => {
    const issues = issuesOf(
      variant((p, clock) => {
        clock.targets.business.technical.B.calendar = 'emea-hours';
        clock.targets['21vianet'].billing.B.calendar = 'region:JP';
        p.autoClose.calendar = 'region:FR';
        p.fallbackRegion = 'FR';
      }),
    );
    expect(issues).toEqual([
      { path: 'fallbackRegion', message: "region FR is not one of the policy's regions" },
      { path: 'autoClose.calendar', message: "region FR is not one of the policy's regions" },
      { path: `${FIRST_TARGETS}.business.technical.B.calendar`, message: "emea-hours is not one of the policy's calendars (21vianet)" },
      { path: `${FIRST_TARGETS}.21vianet.billing.B.calendar`, message: "region JP is not one of the policy's regions" },
    ]);
  });

  it('reports problems inside a calendar under its own path', () => {
    const issues = issuesOf(variant((p) => Object.assign(p.calendars, { '21vianet': { ...p.calendars['21vianet'], zone: 'Asia/Atlantis' } })));
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue.path.startsWith('calendars.21vianet')).toBe(true);
  });

  it('keeps the built-in calendar names for themselves', () => {
    const issues = issuesOf(variant((p) => Object.assign(p.calendars, { '24x7': p.calendars['21vianet'] })));
    expect(issues.map((issue) => issue.path)).toEqual(['calendars.24x7']);
  });

  it('needs distinct clock names', () => {
    const issues = issuesOf(variant((p, clock) => p.clocks.push(clock)));
    expect(issues).toEqual([{ path: 'clocks[1].name', message: 'another clock is already named initial-response' }]);
  });

  it('names unknown fields, events and states', () => {
    const issues = issuesOf(
      variant((p, clock) => {
        Object.assign(p, { warningTreshold: 0.8 });
        Object.assign(clock, { fulfilledBy: ['TicketTriage'], pausedIn: ['waiting'] });
      }),
    );
    expect(issues.map((issue) => issue.path)).toEqual(['clocks[0].fulfilledBy[0]', 'clocks[0].pausedIn[0]', 'warningTreshold']);
  });

  it('says it all in the error message, one problem a line', () => {
    expect(() => parsePolicy(variant((_, clock) => Reflect.deleteProperty(clock.targets.business.technical, 'B')))).toThrow(
      'invalid SLA policy:\n  clocks[0].targets.business.technical.B: required',
    );
  });
});

describe('policyFor', () => {
  const v2: SlaPolicy = { ...defaultPolicy, version: 2, warningThreshold: 0.5 };

  it('finds the policy a ticket pinned when it opened', () => {
    const { events } = story({}, '2026-11-20T16:00:00Z');
    const opened = events[0];
    if (opened?.type !== 'TicketOpened') throw new Error('the story did not open a ticket');
    expect(policyFor(opened.data.policy, [v2, defaultPolicy])).toBe(defaultPolicy);
    expect(policyFor({ id: 'm365-default', version: 2 }, [v2, defaultPolicy])).toBe(v2);
    expect(policyFor({ id: 'm365-default', version: 3 }, [v2, defaultPolicy])).toBeUndefined();
  });
});

describe('loadPolicy', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'caseflow-sla-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });
  const file = async (name: string, text: string) => {
    const path = join(directory, name);
    await writeFile(path, text);
    return path;
  };

  it('reads a JSON policy file', async () => {
    const path = await file('default.json', JSON.stringify(defaultPolicy, null, 2));
    await expect(loadPolicy(path)).resolves.toEqual(defaultPolicy);
  });

  it('names the file and each problem with its path', async () => {
    const path = await file('broken.json', JSON.stringify(variant((p) => (p.warningThreshold = 75))));
    const failure = loadPolicy(path);
    await expect(failure).rejects.toThrow(PolicyError);
    await expect(failure).rejects.toThrow(`${path}: invalid SLA policy:\n  warningThreshold: Too big`);
    await expect(failure).rejects.toMatchObject({ issues: [{ path: ['warningThreshold'] }] });
  });

  it('says when the file is not JSON or cannot be read', async () => {
    const path = await file('truncated.json', '{ "id": ');
    await expect(loadPolicy(path)).rejects.toThrow(`the SLA policy ${path} is not valid JSON`);
    await expect(loadPolicy(join(directory, 'missing.json'))).rejects.toThrow(`cannot read the SLA policy ${join(directory, 'missing.json')}`);
  });
});
