import type { ReportWindow, TicketFacts } from '@caseflow/analytics';
import { slaReport } from '@caseflow/analytics';
import { Severity } from '@caseflow/domain';
import { describeWindow, populationLabel, shortInstant, ticketsOpenedIn } from './population.js';
import { CHART_SIZE, FIT_TO_SIZE, renderSvg } from './render.js';

/** How the initial responses of one severity's tickets opened in one month went. */
export interface BreachRate {
  /** The UTC month the tickets were opened in, as "2026-03". */
  month: string;
  severity: Severity;
  met: number;
  breached: number;
  /** breached / (met + breached): the share of committed responses that came late. */
  rate: number;
}

const SEVERITIES = Severity.options;
const SEVERITY_COLOURS: Record<Severity, string> = { A: '#d62728', B: '#ff7f0e', C: '#1f77b4' };

const MONTHS_SIDE_BY_SIDE = 12;

const monthOf = (instant: number): string => new Date(instant).toISOString().slice(0, 7);

/** Every UTC month the window touches, in order, so a month without committed responses shows as a gap. */
function monthsOf(window: ReportWindow): string[] {
  const months: string[] = [];
  const last = monthOf(window.to.getTime() - 1);
  for (let offset = 0; ; offset += 1) {
    const month = monthOf(Date.UTC(window.from.getUTCFullYear(), window.from.getUTCMonth() + offset, 1));
    if (month > last) return months;
    months.push(month);
  }
}

/**
 * The breach rate of initial responses per UTC month of opening and severity, over the tickets
 * opened in the window, ordered by month then severity. The counting is the SLA report's, so a
 * pending response already due at asOf counts as breached here too. A month and severity with no
 * met or breached response has no row: a rate of nothing is not a rate of zero.
 */
export function breachRates(facts: Iterable<TicketFacts>, window: ReportWindow): BreachRate[] {
  const population = ticketsOpenedIn(facts, window);
  const rates = SEVERITIES.flatMap((severity) => {
    const report = slaReport(
      population.filter((ticket) => ticket.severity === severity),
      // Policy and reopen window only shape columns a breach rate does not use.
      { ...window, groupBy: 'month', policy: 'pinned', reopenWindowMs: () => Number.POSITIVE_INFINITY },
    );
    return report.rows
      .filter(({ met, breached }) => met + breached > 0)
      .map(({ group, met, breached }) => ({ month: group, severity, met, breached, rate: breached / (met + breached) }));
  });
  // A stable sort: within a month, the severities stay in order.
  return rates.sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
}

/** Breach rates of initial responses as grouped bars: one group per month, one bar per severity. */
export async function breachRateChart(facts: Iterable<TicketFacts>, window: ReportWindow, options: { title?: string } = {}): Promise<string> {
  const rates = breachRates(facts, window);
  if (rates.length === 0) {
    throw new RangeError(`no initial response was met or breached among the tickets opened ${describeWindow(window)}`);
  }
  const months = monthsOf(window);
  return renderSvg({
    ...CHART_SIZE,
    autosize: FIT_TO_SIZE,
    title: {
      text: options.title ?? 'Initial response breach rate by severity',
      subtitle: `${populationLabel(window)}, as of ${shortInstant(window.asOf)}`,
    },
    data: { values: rates },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'month',
        type: 'ordinal',
        title: 'Month opened (UTC)',
        scale: { domain: months },
        // Upright labels while they fit side by side; a band axis would otherwise draw them over each other.
        axis: { labelAngle: months.length > MONTHS_SIDE_BY_SIDE ? -45 : 0 },
      },
      xOffset: { field: 'severity', type: 'nominal', scale: { domain: [...SEVERITIES] } },
      y: { field: 'rate', type: 'quantitative', title: 'Initial responses breached', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
      color: {
        field: 'severity',
        type: 'nominal',
        title: 'Severity',
        scale: { domain: [...SEVERITIES], range: SEVERITIES.map((severity) => SEVERITY_COLOURS[severity]) },
      },
    },
  });
}
