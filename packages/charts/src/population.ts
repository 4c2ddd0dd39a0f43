import type { ReportWindow, TicketFacts } from '@caseflow/analytics';
import { populationOf } from '@caseflow/analytics';

export const describeWindow = (window: ReportWindow): string => `between ${window.from.toISOString()} and ${window.to.toISOString()}`;

/** An instant for a chart's subtitle: ISO, in UTC, without the seconds and milliseconds when they are zero. */
export const shortInstant = (instant: Date): string => instant.toISOString().replace(/(:00)?\.000Z$/, 'Z');

/** The population a chart shows, for its subtitle. */
export const populationLabel = (window: ReportWindow): string =>
  `Tickets opened from ${shortInstant(window.from)} to before ${shortInstant(window.to)}`;

/**
 * The tickets a chart is about: those the reports count, opened at or after `window.from` and
 * before `window.to`. A chart of nobody would look like a chart of good news, hence the error instead.
 */
export function ticketsOpenedIn(facts: Iterable<TicketFacts>, window: ReportWindow): TicketFacts[] {
  const population = populationOf(window);
  const tickets: TicketFacts[] = [];
  for (const ticket of facts) if (population.includes(ticket)) tickets.push(ticket);
  if (tickets.length === 0) throw new RangeError(`no tickets opened ${describeWindow(window)}`);
  return tickets;
}
