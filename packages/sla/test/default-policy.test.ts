import { describe, expect, it } from '@jest/globals';
import type { Category, Plan, Severity } from '@caseflow/domain';
import { defaultDecisionPolicy } from '@caseflow/domain';
import { clocks } from '../src/clocks.js';
import { defaultPolicy } from '../src/default-policy.js';
import type { DueQuery } from '../src/due.js';
import { dueFor } from '../src/due.js';
import { decisionPolicyOf, parsePolicy } from '../src/policy.js';
import { iso, story } from './story.js';

/** A Friday afternoon: 11:00 in New York, midnight going into Saturday in Shanghai. */
const FRIDAY = '2026-11-20T16:00:00.000Z';
/** 20:00 in Shanghai on the same Friday. */
const SHANGHAI_EVENING = '2026-11-20T12:00:00.000Z';

const query = (q: Partial<DueQuery>): DueQuery => ({
  plan: 'enterprise',
  severity: 'B',
  category: 'technical',
  region: 'US',
  advancedAgreement: false,
  opened: new Date(FRIDAY),
  ...q,
});

describe('the default policy', () => {
  it('is valid policy data, also after a round trip through JSON', () => {
    expect(parsePolicy(defaultPolicy)).toEqual(defaultPolicy);
    expect(parsePolicy(JSON.parse(JSON.stringify(defaultPolicy)))).toEqual(defaultPolicy);
  });

  it("gives decide exactly the domain's default rules, under the same id and version", () => {
    expect(decisionPolicyOf(defaultPolicy)).toEqual(defaultDecisionPolicy);
  });

  it('defines only the initial-response clock, the one the seeds give targets for', () => {
    expect(defaultPolicy.clocks.map((clock) => clock.name)).toEqual(['initial-response']);
  });
});

describe('the seed table: technical initial response per plan and severity', () => {
  type Row = [plan: Plan, severity: Severity, opened: string, dueAt: string | null, target: string | null, calendar: string];
  const rows: Row[] = [
    ['business', 'A', FRIDAY, '2026-11-20T17:00:00.000Z', 'PT1H', '24x7'],
    ['business', 'B', FRIDAY, null, null, 'region:US'],
    ['business', 'C', FRIDAY, null, null, 'region:US'],
    ['enterprise', 'A', FRIDAY, '2026-11-20T17:00:00.000Z', 'PT1H', '24x7'],
    ['enterprise', 'B', FRIDAY, '2026-11-21T16:00:00.000Z', 'PT24H', '24x7'],
    ['enterprise', 'C', FRIDAY, null, null, '24x7'],
    ['frontline', 'A', FRIDAY, '2026-11-20T17:00:00.000Z', 'PT1H', '24x7'],
    ['frontline', 'B', FRIDAY, '2026-11-21T16:00:00.000Z', 'PT24H', '24x7'],
    ['frontline', 'C', FRIDAY, null, null, '24x7'],
    ['elevated', 'A', FRIDAY, '2026-11-20T17:00:00.000Z', 'PT1H', '24x7'],
    ['elevated', 'B', FRIDAY, '2026-11-20T18:00:00.000Z', 'PT2H', '24x7'],
    ['elevated', 'C', FRIDAY, '2026-11-20T20:00:00.000Z', 'PT4H', '24x7'],
    ['21vianet', 'A', FRIDAY, '2026-11-20T17:00:00.000Z', 'PT1H', '24x7'],
    // Opened 20:00 Shanghai: 4 working hours until midnight, 11 more from 09:00 the next day.
    ['21vianet', 'B', SHANGHAI_EVENING, '2026-11-21T12:00:00.000Z', 'PT15H', '21vianet'],
    // 4 h + 15 h + 15 h + 11 h: 20:00 Shanghai on the Monday (weekends are working days here).
    ['21vianet', 'C', SHANGHAI_EVENING, '2026-11-23T12:00:00.000Z', 'PT45H', '21vianet'],
    // Opened at midnight Shanghai: nothing counts until 09:00, so the day ends at 24:00.
    ['21vianet', 'B', FRIDAY, '2026-11-21T16:00:00.000Z', 'PT15H', '21vianet'],
    ['21vianet', 'C', FRIDAY, '2026-11-23T16:00:00.000Z', 'PT45H', '21vianet'],
  ];

  it.each(rows)('%s Sev %s opened %s is due %s (%s on %s)', (plan, severity, opened, dueAt, target, calendar) => {
    const region = plan === '21vianet' ? 'CN' : 'US';
    const answer = dueFor(query({ plan, severity, region, advancedAgreement: plan === '21vianet', opened: new Date(opened) }), defaultPolicy);
    expect(answer).toEqual({
      ok: true,
      clock: 'initial-response',
      dueAt: dueAt === null ? null : new Date(dueAt),
      target,
      calendar,
      policy: 'm365-default@1',
    });
  });

  it.each(rows)('%s Sev %s opened %s: the ticket opened then has the same clock', (plan, severity, opened, dueAt, target, calendar) => {
    const region = plan === '21vianet' ? 'CN' : 'US';
    const { events } = story({ plan, severity, region, advancedAgreement: plan === '21vianet' }, opened);
    const [clock] = clocks(events, defaultPolicy, new Date(opened));
    expect(clock).toMatchObject({ name: 'initial-response', cycle: 0, status: 'running', elapsedMs: 0, target, calendar });
    expect(iso(clock?.dueAt)).toBe(dueAt);
  });
});

describe('dueFor', () => {
  it('refuses severities the policy does not offer, with the reason', () => {
    expect(dueFor(query({ plan: '21vianet', severity: 'A', region: 'CN' }), defaultPolicy)).toEqual({
      ok: false,
      code: 'severity_not_allowed',
      reason: 'severity A on the 21vianet plan needs the advanced online service agreement',
      policy: 'm365-default@1',
    });
    expect(dueFor(query({ category: 'billing', severity: 'A' }), defaultPolicy)).toMatchObject({
      ok: false,
      reason: 'billing requests are at most severity B',
    });
    expect(dueFor(query({ category: 'presales', severity: 'A' }), defaultPolicy)).toMatchObject({ ok: false });
  });

  type BillingRow = [plan: Plan, category: Category, region: string, calendar: string];
  it.each<BillingRow>([
    ['enterprise', 'billing', 'US', 'region:US'],
    ['business', 'billing', 'AU', 'region:AU'],
    ['elevated', 'billing', 'DE', 'region:DE'],
    ['21vianet', 'billing', 'CN', 'region:CN'],
    // 21Vianet billing is served in China business hours, wherever the customer is.
    ['21vianet', 'billing', 'US', 'region:CN'],
    ['enterprise', 'presales', 'PL', 'region:PL'],
    ['21vianet', 'presales', 'TW', 'region:TW'],
  ])('%s %s from %s: no commitment, measured on %s', (plan, category, region, calendar) => {
    for (const severity of ['B', 'C'] as const) {
      expect(dueFor(query({ plan, category, region, severity }), defaultPolicy)).toMatchObject({ ok: true, dueAt: null, target: null, calendar });
    }
  });

  it("counts a region the policy does not list on the fallback region's hours", () => {
    expect(dueFor(query({ plan: 'business', region: 'FR' }), defaultPolicy)).toMatchObject({ calendar: 'region:US' });
  });
});
