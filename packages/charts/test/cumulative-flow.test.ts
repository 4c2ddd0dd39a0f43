import { describe, expect, it } from '@jest/globals';
import type { ReportWindow, TicketFacts } from '@caseflow/analytics';
import type { FlowStep, StateCount } from '@caseflow/charts';
import { cumulativeFlowChart, stateCounts } from '@caseflow/charts';
import { LIFECYCLE_STATES } from '@caseflow/domain';
import { stays, ticketFacts } from './facts.js';
import { expectChartLabelled, texts } from './svg.js';

/** The counts by instant, leaving out the zeros so the expectations read as the story. */
function nonZero(counts: StateCount[]): Record<string, Record<string, number>> {
  const byInstant: Record<string, Record<string, number>> = {};
  for (const { at, state, tickets } of counts) {
    byInstant[at] ??= {};
    if (tickets !== 0) byInstant[at][state] = tickets;
  }
  return byInstant;
}

// A week of January, looked at on Monday the 5th at noon.
const window: ReportWindow = {
  from: new Date('2026-01-01T00:00:00Z'),
  to: new Date('2026-01-08T00:00:00Z'),
  asOf: new Date('2026-01-05T12:00:00Z'),
};

const facts: TicketFacts[] = [
  ticketFacts('closed-on-the-4th', '2026-01-01T10:00:00.000Z', {
    stays: stays('B', [
      ['opened', '2026-01-01T10:00:00.000Z'],
      ['triaged', '2026-01-02T09:00:00.000Z'],
      ['resolved', '2026-01-03T12:00:00.000Z'],
      ['closed', '2026-01-04T00:00:00.000Z'],
    ]),
  }),
  ticketFacts('waiting-for-the-customer', '2026-01-02T00:00:00.000Z', {
    stays: stays('B', [
      ['opened', '2026-01-02T00:00:00.000Z'],
      ['triaged', '2026-01-02T06:00:00.000Z'],
      ['awaitingCustomer', '2026-01-03T00:00:00.000Z'],
    ]),
  }),
  ticketFacts('opened-this-morning', '2026-01-05T06:00:00.000Z'),
  ticketFacts('opened-last-year', '2025-12-31T23:00:00.000Z', {
    stays: stays('B', [
      ['opened', '2025-12-31T23:00:00.000Z'],
      ['triaged', '2026-01-02T00:00:00.000Z'],
    ]),
  }),
];

/** A window none of `facts` was opened in. */
const quiet: ReportWindow = { from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z'), asOf: new Date('2026-03-01T00:00:00Z') };

describe('stateCounts', () => {
  it('counts the tickets opened in the window by state at every day and at asOf', () => {
    // when
    const counts = stateCounts(facts, window);
    // then every instant has a row for every state, in lifecycle order
    expect(counts.map(({ state }) => state)).toEqual(Array.from({ length: 6 }, () => LIFECYCLE_STATES).flat());
    // and a stay counts from its start up to, not including, its end; a stay with no end lasts
    // until asOf; the ticket opened before the window counts nowhere
    expect(nonZero(counts)).toEqual({
      '2026-01-01T00:00:00.000Z': {},
      '2026-01-02T00:00:00.000Z': { opened: 2 },
      '2026-01-03T00:00:00.000Z': { triaged: 1, awaitingCustomer: 1 },
      '2026-01-04T00:00:00.000Z': { awaitingCustomer: 1, closed: 1 },
      '2026-01-05T00:00:00.000Z': { awaitingCustomer: 1, closed: 1 },
      '2026-01-05T12:00:00.000Z': { opened: 1, awaitingCustomer: 1, closed: 1 },
    });
  });

  it('steps by week from the window start to the window end when asOf is later', () => {
    // given a ticket resolved, reopened and resolved again, looked at after the month ended
    const january: ReportWindow = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z'), asOf: new Date('2026-03-01T00:00:00Z') };
    const reopened = ticketFacts('reopened', '2026-01-02T00:00:00.000Z', {
      stays: stays('A', [
        ['opened', '2026-01-02T00:00:00.000Z'],
        ['resolved', '2026-01-05T00:00:00.000Z'],
        ['reopened', '2026-01-12T00:00:00.000Z'],
        ['resolved', '2026-01-20T00:00:00.000Z'],
      ]),
    });
    // when
    const counts = stateCounts([reopened], january, 'week');
    // then
    expect(nonZero(counts)).toEqual({
      '2026-01-01T00:00:00.000Z': {},
      '2026-01-08T00:00:00.000Z': { resolved: 1 },
      '2026-01-15T00:00:00.000Z': { reopened: 1 },
      '2026-01-22T00:00:00.000Z': { resolved: 1 },
      '2026-01-29T00:00:00.000Z': { resolved: 1 },
      '2026-02-01T00:00:00.000Z': { resolved: 1 },
    });
  });

  it('refuses a window nobody was opened in, and leaves the facts as they were', () => {
    const before = structuredClone(facts);
    expect(() => stateCounts(facts, quiet)).toThrow(new RangeError('no tickets opened between 2026-02-01T00:00:00.000Z and 2026-03-01T00:00:00.000Z'));
    expect(facts).toEqual(before);
  });

  it('refuses a step it does not know', () => {
    expect(() => stateCounts(facts, window, 'month' as FlowStep)).toThrow(new RangeError('the step must be day or week, not month'));
  });

  it('refuses an asOf before the window starts', () => {
    const early: ReportWindow = { ...window, asOf: new Date('2025-12-31T00:00:00Z') };
    expect(() => stateCounts([ticketFacts('t', '2026-01-02T00:00:00.000Z')], early)).toThrow(
      new RangeError('asOf 2025-12-31T00:00:00.000Z is before the window starts at 2026-01-01T00:00:00.000Z'),
    );
  });
});

describe('cumulativeFlowChart', () => {
  it('stacks the states in lifecycle order under a title, axis titles and a legend of every state', async () => {
    // when
    const svg = await cumulativeFlowChart(facts, window);
    // then
    const labels = expectChartLabelled(svg, [
      'Tickets by state over time',
      'Tickets opened from 2026-01-01T00:00Z to before 2026-01-08T00:00Z, by day until 2026-01-05T12:00Z',
      'Date (UTC)',
      'Tickets',
      'State',
      '2026-01-01',
    ]);
    // the legend lists the states in lifecycle order
    expect(labels.filter((label) => (LIFECYCLE_STATES as readonly string[]).includes(label))).toEqual([...LIFECYCLE_STATES]);
    // each state has its own colour, in the legend and on its band
    expect(svg.match(/role-legend-symbol.*?fill="(#[0-9a-f]{6})"/)?.[1]).toBe('#4c78a8');
    expect(svg).toMatch(/aria-label="awaitingCustomer"[^>]*fill="#eeca3b"/);
  });

  it('renders the same bytes every time, by week and under a title of its caller', async () => {
    const options = { step: 'week', title: 'Contoso: cumulative flow' } as const;
    const first = await cumulativeFlowChart(facts, window, options);
    const second = await cumulativeFlowChart(facts, window, options);
    expect(second).toBe(first);
    expect(texts(first)).toEqual(expect.arrayContaining(['Contoso: cumulative flow']));
    expect(texts(first).join('\n')).toContain('by week until 2026-01-05T12:00Z');
  });

  it('refuses to draw an empty population', async () => {
    await expect(cumulativeFlowChart(facts, quiet)).rejects.toThrow(
      new RangeError('no tickets opened between 2026-02-01T00:00:00.000Z and 2026-03-01T00:00:00.000Z'),
    );
  });
});
