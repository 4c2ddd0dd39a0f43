import { describe, expect, it } from '@jest/globals';
import type { ReportWindow, TicketFacts } from '@caseflow/analytics';
import { breachRateChart, breachRates } from '@caseflow/charts';
import { breached, met, pending, ticketFacts } from './facts.js';
import { expectChartLabelled, texts } from './svg.js';

const window: ReportWindow = {
  from: new Date('2026-01-01T00:00:00Z'),
  to: new Date('2026-03-01T00:00:00Z'),
  asOf: new Date('2026-03-10T00:00:00Z'),
};

const facts: TicketFacts[] = [
  ticketFacts('a-met', '2026-01-05T09:00:00.000Z', { severity: 'A', initialResponse: met }),
  ticketFacts('a-late', '2026-01-06T09:00:00.000Z', { severity: 'A', initialResponse: breached }),
  ticketFacts('a-overdue', '2026-01-07T09:00:00.000Z', { severity: 'A', initialResponse: pending('2026-03-01T00:00:00.000Z', true) }),
  ticketFacts('a-due-at-as-of', '2026-01-08T09:00:00.000Z', { severity: 'A', initialResponse: pending('2026-03-10T00:00:00.000Z', true) }),
  ticketFacts('a-not-yet-due', '2026-01-09T09:00:00.000Z', { severity: 'A', initialResponse: pending('2026-03-10T00:00:00.001Z', true) }),
  ticketFacts('a-paused', '2026-01-10T09:00:00.000Z', { severity: 'A', initialResponse: pending('2026-02-01T00:00:00.000Z', false) }),
  ticketFacts('b-last-instant-of-january', '2026-01-31T23:59:59.999Z', { severity: 'B', initialResponse: met }),
  ticketFacts('b-first-instant-of-february', '2026-02-01T00:00:00.000Z', { severity: 'B', initialResponse: breached }),
  ticketFacts('b-no-commitment', '2026-02-02T09:00:00.000Z', {
    severity: 'B',
    initialResponse: { outcome: 'no-commitment', businessMs: 60_000, respondedAt: '2026-02-02T09:01:00.000Z', dueAt: null, running: false },
  }),
  ticketFacts('c-at-window-start', '2026-01-01T00:00:00.000Z', { severity: 'C', initialResponse: met }),
  ticketFacts('c-stopped', '2026-02-03T09:00:00.000Z', {
    severity: 'C',
    initialResponse: { outcome: 'stopped', businessMs: null, respondedAt: null, dueAt: '2026-02-10T00:00:00.000Z', running: false },
  }),
  ticketFacts('c-met', '2026-02-04T09:00:00.000Z', { severity: 'C', initialResponse: met }),
  ticketFacts('a-before-window', '2025-12-31T23:59:59.999Z', { severity: 'A', initialResponse: breached }),
  ticketFacts('a-at-window-end', '2026-03-01T00:00:00.000Z', { severity: 'A', initialResponse: breached }),
];

/** A window none of `facts` was opened in. */
const quiet: ReportWindow = { from: new Date('2025-06-01T00:00:00Z'), to: new Date('2025-07-01T00:00:00Z'), asOf: window.asOf };

describe('breachRates', () => {
  it('counts met and breached initial responses per UTC month of opening and severity', () => {
    // given tickets in and around January and February, with every kind of response outcome
    // when
    const rates = breachRates(facts, window);
    // then a response pending past its due instant at asOf counts as breached, while one not yet
    // due, one whose clock was paused, no-commitment and stopped ones count in no rate
    expect(rates).toEqual([
      { month: '2026-01', severity: 'A', met: 1, breached: 3, rate: 0.75 },
      { month: '2026-01', severity: 'B', met: 1, breached: 0, rate: 0 },
      { month: '2026-01', severity: 'C', met: 1, breached: 0, rate: 0 },
      { month: '2026-02', severity: 'B', met: 0, breached: 1, rate: 1 },
      { month: '2026-02', severity: 'C', met: 1, breached: 0, rate: 0 },
    ]);
  });

  it('reads the facts once, so a generator will do', () => {
    function* once(): Generator<TicketFacts> {
      yield* facts;
    }
    expect(breachRates(once(), window)).toEqual(breachRates(facts, window));
  });

  it('refuses a window nobody was opened in, and leaves the facts as they were', () => {
    // given
    const before = structuredClone(facts);
    // when / then
    expect(() => breachRates(facts, quiet)).toThrow(
      new RangeError('no tickets opened between 2025-06-01T00:00:00.000Z and 2025-07-01T00:00:00.000Z'),
    );
    expect(facts).toEqual(before);
  });

  it('counts nobody opened just before the window or right at its end', () => {
    const outside = facts.filter(({ ticketId }) => ticketId === 'a-before-window' || ticketId === 'a-at-window-end');
    expect(() => breachRates(outside, window)).toThrow(
      new RangeError('no tickets opened between 2026-01-01T00:00:00.000Z and 2026-03-01T00:00:00.000Z'),
    );
  });

  it('refuses a window that ends before it starts', () => {
    const backwards: ReportWindow = { from: window.to, to: window.from, asOf: window.asOf };
    expect(() => breachRates(facts, backwards)).toThrow(RangeError);
    expect(() => breachRates(facts, { ...window, asOf: new Date(Number.NaN) })).toThrow(RangeError);
  });
});

describe('breachRateChart', () => {
  it('draws one bar group per month of the window, with title, axis titles and a severity legend', async () => {
    // when
    const svg = await breachRateChart(facts, window);
    // then
    expectChartLabelled(svg, [
      'Initial response breach rate by severity',
      'Tickets opened from 2026-01-01T00:00Z to before 2026-03-01T00:00Z, as of 2026-03-10T00:00Z',
      'Month opened (UTC)',
      'Initial responses breached',
      'Severity',
      'A',
      'B',
      'C',
      '2026-01',
      '2026-02',
      '0%',
      '100%',
    ]);
    // one bar per row of breachRates, coloured by severity
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(5);
  });

  it('keeps a month without any met or breached response on the axis, with no bar', async () => {
    // given responses in January and March only
    const spring: ReportWindow = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z'), asOf: window.asOf };
    const sparse = [
      ticketFacts('january', '2026-01-10T00:00:00.000Z', { initialResponse: breached }),
      ticketFacts('march', '2026-03-10T00:00:00.000Z', { initialResponse: met }),
    ];
    // when
    const svg = await breachRateChart(sparse, spring);
    // then
    expect(texts(svg)).toEqual(expect.arrayContaining(['2026-01', '2026-02', '2026-03']));
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(2);
  });

  it('renders the same bytes every time, under a title of its caller', async () => {
    const first = await breachRateChart(facts, window, { title: 'Contoso: breach rate' });
    const second = await breachRateChart(facts, window, { title: 'Contoso: breach rate' });
    expect(second).toBe(first);
    expect(texts(first)).toContain('Contoso: breach rate');
  });

  it('refuses to draw an empty population', async () => {
    await expect(breachRateChart(facts, quiet)).rejects.toThrow(
      new RangeError('no tickets opened between 2025-06-01T00:00:00.000Z and 2025-07-01T00:00:00.000Z'),
    );
  });

  it('refuses to draw tickets none of which has a met or breached response', async () => {
    // given tickets whose responses are all still pending, not yet due
    const waiting = [ticketFacts('waiting', '2026-02-20T00:00:00.000Z', { initialResponse: pending('2026-04-01T00:00:00.000Z', true) })];
    // when / then
    await expect(breachRateChart(waiting, window)).rejects.toThrow(
      new RangeError(
        'no initial response was met or breached among the tickets opened between 2026-01-01T00:00:00.000Z and 2026-03-01T00:00:00.000Z',
      ),
    );
  });
});
