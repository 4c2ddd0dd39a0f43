import type { LifecycleState } from '@caseflow/domain';
import { LIFECYCLE_STATES, Severity as SeveritySchema } from '@caseflow/domain';
import { medianAndP90 } from './percentile.js';
import type { ReportWindow, StateRow, StatesReport, TicketFacts, TransitionRow } from './types.js';
import { populationOf } from './window.js';

const SEVERITIES = SeveritySchema.options;
const pairKey = (a: string, b: string) => `${a} ${b}`;

/**
 * Time in each state per severity (at entry) over the completed stays of the tickets opened in
 * the window, and the flow between states: one count per pair of consecutive stays. Rows follow
 * the lifecycle order, then severity; pairs with no stays are left out. Throws a RangeError for
 * an invalid date or an empty window.
 */
export function statesReport(facts: Iterable<TicketFacts>, window: ReportWindow): StatesReport {
  const population = populationOf(window);
  const stayLengths = new Map<string, number[]>();
  const flows = new Map<string, number>();

  for (const ticket of facts) {
    if (!population.includes(ticket)) continue;
    let previous: LifecycleState | undefined;
    for (const stay of ticket.stays) {
      if (previous !== undefined) {
        const flow = pairKey(previous, stay.state);
        flows.set(flow, (flows.get(flow) ?? 0) + 1);
      }
      previous = stay.state;
      if (stay.to === null) continue;
      const key = pairKey(stay.state, stay.severity);
      let lengths = stayLengths.get(key);
      if (lengths === undefined) stayLengths.set(key, (lengths = []));
      lengths.push(Date.parse(stay.to) - Date.parse(stay.from));
    }
  }

  const rows: StateRow[] = [];
  const transitions: TransitionRow[] = [];
  for (const state of LIFECYCLE_STATES) {
    for (const severity of SEVERITIES) {
      const lengths = stayLengths.get(pairKey(state, severity)) ?? [];
      const { median, p90 } = medianAndP90(lengths);
      if (median !== null && p90 !== null) rows.push({ state, severity, stays: lengths.length, medianMs: median, p90Ms: p90 });
    }
    for (const to of LIFECYCLE_STATES) {
      const count = flows.get(pairKey(state, to)) ?? 0;
      if (count > 0) transitions.push({ from: state, to, count });
    }
  }
  return {
    kind: 'states',
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    asOf: window.asOf.toISOString(),
    rows,
    transitions,
  };
}
