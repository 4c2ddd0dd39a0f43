import type { ReportWindow, TicketFacts } from './types.js';

/** A report window as instants, checked. */
export interface Population {
  from: number;
  to: number;
  asOf: number;
  /** Whether a ticket belongs to the report: opened at or after `from` and before `to`. */
  includes(ticket: TicketFacts): boolean;
}

function instantOf(window: ReportWindow, name: keyof ReportWindow): number {
  const value: unknown = window[name];
  const instant = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(instant)) throw new RangeError(`the report's ${name} is not a valid date`);
  return instant;
}

/** Throws a RangeError naming the problem for an invalid date or an empty window. */
export function populationOf(window: ReportWindow): Population {
  const from = instantOf(window, 'from');
  const to = instantOf(window, 'to');
  const asOf = instantOf(window, 'asOf');
  if (from >= to) {
    throw new RangeError(`the report window is empty: from (${window.from.toISOString()}) must be before to (${window.to.toISOString()})`);
  }
  return {
    from,
    to,
    asOf,
    includes(ticket) {
      const openedAt = Date.parse(ticket.openedAt);
      return openedAt >= from && openedAt < to;
    },
  };
}
