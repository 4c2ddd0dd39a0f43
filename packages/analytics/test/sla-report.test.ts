import { describe, expect, it } from '@jest/globals';
import type { SlaReportOptions, TicketFacts } from '@caseflow/analytics';
import { compareSla, percentile, slaReport } from '@caseflow/analytics';
import { DAY, FOURTEEN_DAYS, HOUR, JANUARY, MINUTE, at, reopenWindow, responded, ticket } from './fixtures.js';

const options = (extra: Partial<SlaReportOptions> = {}): SlaReportOptions => ({ ...JANUARY, policy: 'pinned', reopenWindowMs: reopenWindow, ...extra });

describe('percentile (nearest rank)', () => {
  it('is the smallest value with at least p % of the values at or below it', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 90)).toBe(9);
    expect(percentile(ten, 91)).toBe(10);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 90)).toBe(4);
    expect(percentile([10, 20, 30], 50)).toBe(20);
  });

  it('handles the edges: no values, one value, p 0 and 100', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 0)).toBe(7);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([1, 2, 3], 0)).toBe(1);
    expect(percentile([1, 2, 3], 100)).toBe(3);
  });

  it('refuses a p outside 0–100', () => {
    expect(() => percentile([1], 101)).toThrow(new RangeError('a percentile is between 0 and 100, not 101'));
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('the SLA report', () => {
  it('counts the tickets opened from `from` (inclusive) to `to` (exclusive)', () => {
    // Given tickets opened just before, at, inside, just before the end of and at the end of January
    const facts = [
      ticket({ openedAt: '2025-12-31T23:59:59.999Z' }),
      ticket({ openedAt: '2026-01-01T00:00:00.000Z' }),
      ticket({ openedAt: '2026-01-15T12:00:00.000Z' }),
      ticket({ openedAt: '2026-01-31T23:59:59.999Z' }),
      ticket({ openedAt: '2026-02-01T00:00:00.000Z' }),
    ];
    // then January has the middle three
    expect(slaReport(facts, options()).total.tickets).toBe(3);
  });

  it('sorts each initial response into met, breached, no commitment, pending and stopped', () => {
    const t = '2026-01-10T10:00:00.000Z';
    const facts = [
      ticket({ openedAt: t, initialResponse: responded(t, HOUR) }),
      ticket({ openedAt: t, initialResponse: responded(t, 2 * DAY, 'breached') }),
      ticket({ openedAt: t, initialResponse: { outcome: 'breached', businessMs: null, respondedAt: null, dueAt: at(t, HOUR), running: false } }),
      ticket({ openedAt: t, initialResponse: responded(t, 3 * HOUR, 'no-commitment') }),
      ticket({ openedAt: t, initialResponse: { outcome: 'stopped', businessMs: null, respondedAt: null, dueAt: at(t, DAY), running: false } }),
    ];
    expect(slaReport(facts, options()).total).toMatchObject({ tickets: 5, met: 1, breached: 2, noCommitment: 1, pending: 0, stopped: 1 });
  });

  it('counts a pending response as breached once a running clock is due by `asOf`, and not a paused one', () => {
    // Given responses pending at their last event, due on 20 January
    const t = '2026-01-10T10:00:00.000Z';
    const due = '2026-01-20T10:00:00.000Z';
    const running = ticket({ openedAt: t, initialResponse: { outcome: 'pending', businessMs: null, respondedAt: null, dueAt: due, running: true } });
    const paused = ticket({ openedAt: t, initialResponse: { outcome: 'pending', businessMs: null, respondedAt: null, dueAt: due, running: false } });
    // when the report is as of before, at and after the due instant
    const asOf = (instant: string) => slaReport([running, paused], options({ asOf: new Date(instant) })).total;
    // then the running one is breached from its due instant on
    expect(asOf('2026-01-20T09:59:59.999Z')).toMatchObject({ breached: 0, pending: 2 });
    expect(asOf(due)).toMatchObject({ breached: 1, pending: 1 });
    expect(asOf('2026-02-15T00:00:00.000Z')).toMatchObject({ breached: 1, pending: 1 });
  });

  it('takes the median and p90 over the responses that came, met, late or without commitment', () => {
    const t = '2026-01-10T10:00:00.000Z';
    const facts = [
      ...[10, 20, 30, 40, 50, 60, 70, 80].map((minutes) => ticket({ openedAt: t, initialResponse: responded(t, minutes * MINUTE) })),
      ticket({ openedAt: t, initialResponse: responded(t, 90 * MINUTE, 'breached') }),
      ticket({ openedAt: t, initialResponse: responded(t, 100 * MINUTE, 'no-commitment') }),
      // No response, no response time: these stay out of the percentiles.
      ticket({ openedAt: t, initialResponse: { outcome: 'pending', businessMs: null, respondedAt: null, dueAt: at(t, DAY), running: true } }),
      ticket({ openedAt: t, initialResponse: { outcome: 'breached', businessMs: null, respondedAt: null, dueAt: at(t, HOUR), running: false } }),
    ];
    expect(slaReport(facts, options()).total).toMatchObject({ responseMedianMs: 50 * MINUTE, responseP90Ms: 90 * MINUTE });
  });

  it('has no median or p90 when no response came', () => {
    const t = '2026-01-10T10:00:00.000Z';
    const facts = [ticket({ openedAt: t, initialResponse: { outcome: 'stopped', businessMs: null, respondedAt: null, dueAt: at(t, DAY), running: false } })];
    expect(slaReport(facts, options()).total).toMatchObject({ responseMedianMs: null, responseP90Ms: null });
    expect(slaReport([], options()).total).toMatchObject({ tickets: 0, responseMedianMs: null, responseP90Ms: null });
  });

  it('adds up waits, downgrades, reopens and escalations by level, levels in ascending order', () => {
    const t = '2026-01-10T10:00:00.000Z';
    const facts = [
      ticket({ openedAt: t, awaitingCustomerMs: 2 * HOUR, downgrades: 1, reopens: 2, escalations: { '2': 1, '1': 1 } }),
      ticket({ openedAt: t, awaitingCustomerMs: 3 * HOUR, escalations: { '1': 2, '3': 1 } }),
    ];
    const { total } = slaReport(facts, options());
    expect(total).toMatchObject({ awaitingCustomerMs: 5 * HOUR, downgrades: 1, reopens: 2, escalations: { '1': 3, '2': 1, '3': 1 } });
    expect(Object.keys(total.escalations)).toEqual(['1', '2', '3']);
  });

  it('groups by plan, severity, tenant, region or month, groups in order, the total beside them', () => {
    const facts = [
      ticket({ openedAt: '2026-01-20T10:00:00.000Z', plan: 'elevated', severity: 'C', tenant: 'fabrikam', region: 'DE' }),
      ticket({ openedAt: '2026-01-05T10:00:00.000Z', plan: 'business', severity: 'A', tenant: 'contoso', region: 'US' }),
      ticket({ openedAt: '2026-02-03T10:00:00.000Z', plan: 'business', severity: 'B', tenant: 'adatum', region: 'US' }),
    ];
    const window = { from: new Date('2026-01-01T00:00:00.000Z'), to: new Date('2026-03-01T00:00:00.000Z') };
    const groups = (groupBy: SlaReportOptions['groupBy']) =>
      slaReport(facts, options({ ...window, groupBy })).rows.map((row) => [row.group, row.tickets]);
    expect(groups('plan')).toEqual([['business', 2], ['elevated', 1]]);
    expect(groups('severity')).toEqual([['A', 1], ['B', 1], ['C', 1]]);
    expect(groups('tenant')).toEqual([['adatum', 1], ['contoso', 1], ['fabrikam', 1]]);
    expect(groups('region')).toEqual([['DE', 1], ['US', 2]]);
    expect(groups('month')).toEqual([['2026-01', 2], ['2026-02', 1]]);
    expect(groups(undefined)).toEqual([]);
    const report = slaReport(facts, options({ ...window, groupBy: 'plan' }));
    expect(report).toMatchObject({ kind: 'sla', groupBy: 'plan', policy: 'pinned', from: '2026-01-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' });
    expect(report.total).toMatchObject({ group: 'all', tickets: 3 });
  });

  it('groups by the severity a ticket was opened with', () => {
    const t = '2026-01-10T10:00:00.000Z';
    const raised = ticket({ openedAt: t, severity: 'B', stays: [{ state: 'opened', severity: 'B', from: t, to: at(t, HOUR) }, { state: 'triaged', severity: 'A', from: at(t, HOUR), to: null }] });
    expect(slaReport([raised], options({ groupBy: 'severity' })).rows.map((row) => row.group)).toEqual(['B']);
  });
});

describe('refused reopens', () => {
  const closedOn = '2026-01-10T12:00:00.000Z';
  /** A ticket opened in January and closed on 10 January. */
  const closedTicket = (extra: Partial<TicketFacts> = {}) =>
    ticket({ openedAt: '2026-01-09T09:00:00.000Z', plan: 'elevated', closedAt: [closedOn], ...extra });
  const followUp = (of: TicketFacts, openedAt: string) => ticket({ openedAt, followUpOf: of.ticketId });
  const refused = (facts: TicketFacts[], extra: Partial<SlaReportOptions> = {}) => slaReport(facts, options({ groupBy: 'plan', ...extra }));

  it('counts a follow-up opened after the reopen window, on the ticket it follows, even when the follow-up opened after the window', () => {
    const x = closedTicket();
    // Listed before the ticket it follows, and opened in March, outside the report's window.
    const late = followUp(x, '2026-03-02T09:00:00.000Z');
    const report = refused([late, x]);
    expect(report.rows).toEqual([expect.objectContaining({ group: 'elevated', tickets: 1, reopensRefused: 1 })]);
    expect(report.total.reopensRefused).toBe(1);
  });

  it('does not count a follow-up opened within the reopen window, up to its last instant', () => {
    const x = closedTicket();
    expect(refused([x, followUp(x, at(closedOn, DAY)), followUp(x, at(closedOn, FOURTEEN_DAYS))]).total.reopensRefused).toBe(0);
    expect(refused([x, followUp(x, at(closedOn, FOURTEEN_DAYS + 1))]).total.reopensRefused).toBe(1);
  });

  it('uses the reopen window of the ticket followed, as the caller says', () => {
    const x = closedTicket();
    const twoDays = () => 2 * DAY;
    expect(refused([x, followUp(x, at(closedOn, 3 * DAY))], { reopenWindowMs: twoDays }).total.reopensRefused).toBe(1);
  });

  it('does not count a follow-up of a ticket that was open again then, or not yet closed', () => {
    // Given a ticket closed, reopened on the 12th and closed again on 20 January
    const x = closedTicket({ closedAt: [closedOn, '2026-01-20T12:00:00.000Z'], reopenedAt: ['2026-01-12T12:00:00.000Z'] });
    // then a follow-up opened while it was reopened is no refused reopen, nor one before it closed
    expect(refused([x, followUp(x, '2026-01-15T12:00:00.000Z'), followUp(x, '2026-01-09T10:00:00.000Z')]).total.reopensRefused).toBe(0);
    // and one opened more than 14 days after the second close is
    expect(refused([x, followUp(x, '2026-02-04T12:00:01.000Z')]).total.reopensRefused).toBe(1);
  });

  it('does not count a follow-up of a ticket outside the population, nor of an unknown one', () => {
    const december = closedTicket({ openedAt: '2025-12-20T09:00:00.000Z', closedAt: ['2025-12-21T09:00:00.000Z'] });
    const late = followUp(december, '2026-01-20T09:00:00.000Z');
    const orphan = ticket({ openedAt: '2026-01-20T09:00:00.000Z', followUpOf: 'T-unknown' });
    const report = refused([december, late, orphan]);
    expect(report.total).toMatchObject({ tickets: 2, reopensRefused: 0 });
  });
});

describe('a bad window', () => {
  it('is a RangeError naming the problem, and reads no facts', () => {
    let read = 0;
    const facts = {
      *[Symbol.iterator]() {
        read += 1;
        yield ticket({ openedAt: '2026-01-10T10:00:00.000Z' });
      },
    };
    const day = new Date('2026-01-10T00:00:00.000Z');
    expect(() => slaReport(facts, options({ from: day, to: day }))).toThrow(
      new RangeError('the report window is empty: from (2026-01-10T00:00:00.000Z) must be before to (2026-01-10T00:00:00.000Z)'),
    );
    expect(() => slaReport(facts, options({ from: JANUARY.to, to: JANUARY.from }))).toThrow(RangeError);
    expect(() => slaReport(facts, options({ from: new Date('not a date') }))).toThrow(new RangeError("the report's from is not a valid date"));
    expect(() => slaReport(facts, options({ asOf: new Date(Number.NaN) }))).toThrow(new RangeError("the report's asOf is not a valid date"));
    expect(read).toBe(0);
  });
});

describe('comparing with a what-if', () => {
  it('pairs two reports of the same window', () => {
    const facts = [ticket({ openedAt: '2026-01-10T10:00:00.000Z' })];
    const actual = slaReport(facts, options());
    const whatIf = slaReport(facts, options({ policy: 'strict@2' }));
    expect(compareSla(actual, whatIf)).toEqual({ kind: 'sla-what-if', actual, whatIf });
  });

  it('refuses reports of different windows or groupings', () => {
    const actual = slaReport([], options());
    expect(() => compareSla(actual, slaReport([], options({ asOf: new Date('2026-03-01T00:00:00.000Z') })))).toThrow(
      'cannot compare SLA reports with different asOf: 2026-02-15T00:00:00.000Z (actual) and 2026-03-01T00:00:00.000Z (what-if)',
    );
    expect(() => compareSla(actual, slaReport([], options({ groupBy: 'plan' })))).toThrow('different groupBy: null (actual) and plan (what-if)');
  });
});
