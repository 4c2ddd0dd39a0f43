import { describe, expect, it } from '@jest/globals';
import type { ReportFormat, SlaReportOptions, TicketFacts } from '@caseflow/analytics';
import { REPORT_FORMATS, compareSla, humanDuration, parseGroupBy, parseReportFormat, renderReport, slaReport, statesReport } from '@caseflow/analytics';
import { DAY, HOUR, JANUARY, MINUTE, at, reopenWindow, responded, ticket } from './fixtures.js';

const t = '2026-01-10T10:00:00.000Z';
const options = (extra: Partial<SlaReportOptions> = {}): SlaReportOptions => ({ ...JANUARY, groupBy: 'plan', policy: 'pinned', reopenWindowMs: reopenWindow, ...extra });

/** Two plans; a level-3 escalation on one ticket only, no level 2 anywhere; one ticket without a response. */
const facts = (): TicketFacts[] => [
  ticket({ openedAt: t, ticketId: 'E1', plan: 'enterprise', initialResponse: responded(t, 40 * MINUTE), escalations: { '1': 1 } }),
  ticket({ openedAt: t, ticketId: 'E2', plan: 'enterprise', initialResponse: responded(t, 3 * HOUR + 5 * MINUTE, 'breached'), awaitingCustomerMs: 2 * DAY + 4 * HOUR }),
  ticket({
    openedAt: t,
    ticketId: 'B1',
    plan: 'business',
    initialResponse: { outcome: 'stopped', businessMs: null, respondedAt: null, dueAt: at(t, DAY), running: false },
    escalations: { '3': 1 },
    stays: [
      { state: 'opened', severity: 'B', from: t, to: at(t, HOUR) },
      { state: 'closed', severity: 'B', from: at(t, HOUR), to: null },
    ],
  }),
];

const shuffled = (): TicketFacts[] => {
  const [a, b, c] = facts();
  return [c, a, b].filter((f): f is TicketFacts => f !== undefined);
};

const reports = (input: () => TicketFacts[]) => {
  const actual = slaReport(input(), options());
  return [actual, compareSla(actual, slaReport(input(), options({ policy: 'strict@2', reopenWindowMs: () => DAY }))), statesReport(input(), JANUARY)];
};

describe('rendering a report', () => {
  it('gives byte-identical text for the same tickets in any order, in every format', () => {
    const once = reports(facts);
    const again = reports(shuffled);
    for (const format of REPORT_FORMATS) {
      once.forEach((report, index) => expect(renderReport(again[index] ?? report, format)).toBe(renderReport(report, format)));
    }
  });

  it('as JSON is the report itself, indented, with a final newline', () => {
    const report = slaReport(facts(), options());
    const text = renderReport(report, 'json');
    expect(text).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect(JSON.parse(text)).toEqual(report);
  });

  it('as CSV has a header, durations in ms, one column per escalation level present, and the total last', () => {
    expect(renderReport(slaReport(facts(), options()), 'csv')).toBe(
      [
        'group,tickets,met,breached,no_commitment,pending,stopped,response_median_ms,response_p90_ms,awaiting_customer_ms,downgrades,reopens,reopens_refused,escalations_level_1,escalations_level_3',
        'business,1,0,0,0,0,1,,,0,0,0,0,0,1',
        `enterprise,2,1,1,0,0,0,${40 * MINUTE},${185 * MINUTE},${52 * HOUR},0,0,0,1,0`,
        `all,3,1,1,0,0,1,${40 * MINUTE},${185 * MINUTE},${52 * HOUR},0,0,0,1,1`,
        '',
      ].join('\n'),
    );
  });

  it('as CSV compares each figure as <figure>_actual beside <figure>_what_if, a group missing on one side as empty', () => {
    const actual = slaReport(facts(), options());
    const whatIf = slaReport(facts().filter((f) => f.plan === 'enterprise'), options({ policy: 'strict@2' }));
    const [header, business] = renderReport(compareSla(actual, whatIf), 'csv').split('\n');
    expect(header?.split(',').slice(0, 5)).toEqual(['group', 'tickets_actual', 'tickets_what_if', 'met_actual', 'met_what_if']);
    expect(header?.split(',').slice(-2)).toEqual(['escalations_level_3_actual', 'escalations_level_3_what_if']);
    expect(business?.split(',').slice(0, 3)).toEqual(['business', '1', '0']);
  });

  it('as CSV puts both parts of the states report in one table, told apart by `section`', () => {
    expect(renderReport(statesReport(facts(), JANUARY), 'csv')).toBe(
      ['section,state,severity,stays,median_ms,p90_ms,from,to,count', `state,opened,B,1,${HOUR},${HOUR},,,`, 'transition,,,,,,opened,closed,1', ''].join('\n'),
    );
  });

  it('as a table has a title, aligned columns, readable durations and rates, and — for nothing', () => {
    const lines = renderReport(slaReport(facts(), options()), 'table').trimEnd().split('\n');
    expect(lines[0]).toBe(
      'SLA report · tickets opened from 2026-01-01T00:00:00.000Z, before 2026-02-01T00:00:00.000Z · as of 2026-02-15T00:00:00.000Z · policy pinned · by plan',
    );
    const table = lines.slice(2);
    expect(table[0]?.split(/\s{2,}/)).toEqual(['plan', 'tickets', 'met', 'breached', 'met %', 'no commit.', 'pending', 'stopped', 'median', 'p90', 'awaiting', 'downgrades', 'reopens', 'refused', 'esc. L1', 'esc. L3']);
    expect(table[2]?.split(/\s+/)).toEqual(['business', '1', '0', '0', '—', '0', '0', '1', '—', '—', '0s', '0', '0', '0', '0', '1']);
    expect(table[3]?.split(/\s{2,}/)).toEqual(['enterprise', '2', '1', '1', '50.0%', '0', '0', '0', '40m', '3h 05m', '2d 4h', '0', '0', '0', '1', '0']);
    expect(table[5]?.startsWith('all ')).toBe(true);
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
  });

  it('as a table shows each what-if figure as "actual → what-if" and names both policies', () => {
    const base = facts();
    const late = ticket({ openedAt: at(t, 30 * DAY), followUpOf: 'E1' });
    const closed = base.map((f) => (f.ticketId === 'E1' ? { ...f, closedAt: [at(t, DAY)] } : f));
    const actual = slaReport([...closed, late], options({ to: new Date('2026-01-31T00:00:00.000Z') }));
    const whatIf = slaReport([...closed, late], options({ to: new Date('2026-01-31T00:00:00.000Z'), policy: 'lenient@1', reopenWindowMs: () => 60 * DAY }));
    const text = renderReport(compareSla(actual, whatIf), 'table');
    expect(text.split('\n')[0]).toContain('· policy pinned → lenient@1 · by plan');
    const enterprise = text.split('\n').find((line) => line.startsWith('enterprise'));
    expect(enterprise).toContain('40m → 40m');
    // The refused reopen under the pinned 14 days is none under 60 days.
    expect(enterprise?.split(/\s{2,}/)[13]).toBe('1 → 0');
  });

  it('as a table shows the states report as time in state, then transitions', () => {
    expect(renderReport(statesReport(facts(), JANUARY), 'table')).toBe(
      [
        'States report · tickets opened from 2026-01-01T00:00:00.000Z, before 2026-02-01T00:00:00.000Z · as of 2026-02-15T00:00:00.000Z',
        '',
        'Time in state (completed stays)',
        'state   severity  stays  median     p90',
        '---------------------------------------',
        'opened  B             1  1h 00m  1h 00m',
        '',
        'Transitions',
        'from    to      count',
        '---------------------',
        'opened  closed      1',
        '',
      ].join('\n'),
    );
  });

  it('refuses an unknown format, listing the formats', () => {
    expect(() => renderReport(slaReport([], options()), 'xml' as ReportFormat)).toThrow(new RangeError('unknown report format "xml": use one of table, csv, json'));
  });
});

describe('human durations', () => {
  it('read as seconds, minutes, hours and minutes, or days and hours, rounded down; — for none', () => {
    expect([0, 45_000, 12 * MINUTE + 59_999, 3 * HOUR + 5 * MINUTE, 2 * DAY + 4 * HOUR + 59 * MINUTE, null].map(humanDuration)).toEqual([
      '0s',
      '45s',
      '12m',
      '3h 05m',
      '2d 4h',
      '—',
    ]);
  });
});

describe('parsing options', () => {
  it('accepts each grouping and format, and refuses others listing the options', () => {
    expect(parseGroupBy('month')).toBe('month');
    expect(parseReportFormat('csv')).toBe('csv');
    expect(() => parseGroupBy('week')).toThrow(new RangeError('unknown grouping "week": use one of plan, severity, tenant, region, month'));
    expect(() => parseReportFormat('')).toThrow(RangeError);
  });
});
