import type { ReportWindow, TicketFacts } from '@caseflow/analytics';

const isValidDate = (date: Date): boolean => date instanceof Date && !Number.isNaN(date.getTime());

export const describeWindow = (window: ReportWindow): string => `between ${window.from.toISOString()} and ${window.to.toISOString()}`;

/** An instant for a chart's subtitle: ISO, in UTC, without the seconds and milliseconds when they are zero. */
export const shortInstant = (instant: Date): string => instant.toISOString().replace(/(:00)?\.000Z$/, 'Z');

/** The population a chart shows, for its subtitle. */
export const populationLabel = (window: ReportWindow): string =>
  `Tickets opened from ${shortInstant(window.from)} to before ${shortInstant(window.to)}`;

/**
 * The tickets a chart is about: opened at or after `window.from` and before `window.to`.
 * A chart of nobody would look like a chart of good news, hence the error instead.
 */
export function ticketsOpenedIn(facts: Iterable<TicketFacts>, window: ReportWindow): TicketFacts[] {
  if (!isValidDate(window.from) || !isValidDate(window.to) || !isValidDate(window.asOf)) {
    throw new RangeError('the report window needs valid from, to and asOf dates');
  }
  if (window.from.getTime() >= window.to.getTime()) {
    throw new RangeError(`the report window is empty: from ${window.from.toISOString()} is not before to ${window.to.toISOString()}`);
  }
  const from = window.from.getTime();
  const to = window.to.getTime();
  const population: TicketFacts[] = [];
  for (const ticket of facts) {
    const openedAt = Date.parse(ticket.openedAt);
    if (openedAt >= from && openedAt < to) population.push(ticket);
  }
  if (population.length === 0) throw new RangeError(`no tickets opened ${describeWindow(window)}`);
  return population;
}
