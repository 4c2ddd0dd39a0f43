import type { ReportWindow, TicketFacts } from '@caseflow/analytics';
import type { LifecycleState } from '@caseflow/domain';
import { LIFECYCLE_STATES } from '@caseflow/domain';
import { populationLabel, shortInstant, ticketsOpenedIn } from './population.js';
import { CHART_SIZE, FIT_TO_SIZE, renderSvg } from './render.js';

export type FlowStep = 'day' | 'week';

/** How many of the tickets were in one state at one instant. */
export interface StateCount {
  at: string;
  state: LifecycleState;
  tickets: number;
}

const MAX_TICKS = 6;
const DAY_MS = 86_400_000;
const STEP_MS: Record<FlowStep, number> = { day: DAY_MS, week: 7 * DAY_MS };

const STATE_COLOURS: Record<LifecycleState, string> = {
  opened: '#4c78a8',
  triaged: '#72b7b2',
  awaitingCustomer: '#eeca3b',
  downgraded: '#ff9da6',
  resolved: '#54a24b',
  closed: '#bab0ac',
  reopened: '#e45756',
};

/** window.from, then every step after it while before the end, then the end: min(window.to, asOf). */
function sampleInstants(window: ReportWindow, step: FlowStep): number[] {
  // The type says day or week; a caller parsing a command line may still hand over anything.
  if (!Object.hasOwn(STEP_MS, step)) throw new RangeError(`the step must be day or week, not ${String(step)}`);
  const from = window.from.getTime();
  const end = Math.min(window.to.getTime(), window.asOf.getTime());
  if (end < from) {
    throw new RangeError(`asOf ${window.asOf.toISOString()} is before the window starts at ${window.from.toISOString()}`);
  }
  const instants: number[] = [];
  for (let at = from; at < end; at += STEP_MS[step]) instants.push(at);
  instants.push(end);
  return instants;
}

/** The index of the first of the ascending `instants` at or after `instant`. */
function firstIndexFrom(instants: readonly number[], instant: number): number {
  let low = 0;
  let high = instants.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((instants[middle] ?? Infinity) < instant) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * How many of the tickets opened in the window were in each lifecycle state at window.from, at
 * every step after it, and at the end (the window's end or asOf, whichever comes first): rows by
 * instant, then in lifecycle order, zeros included. A stay still open (`to: null`) lasts until asOf.
 */
export function stateCounts(facts: Iterable<TicketFacts>, window: ReportWindow, step: FlowStep = 'day'): StateCount[] {
  const population = ticketsOpenedIn(facts, window);
  const instants = sampleInstants(window, step);
  // Each stay adds one from its first sample to its last, so count where stays start and stop and sum up once.
  const changes = new Map(LIFECYCLE_STATES.map((state) => [state, new Int32Array(instants.length + 1)]));
  for (const ticket of population) {
    for (const stay of ticket.stays) {
      const first = firstIndexFrom(instants, Date.parse(stay.from));
      const afterLast = stay.to === null ? instants.length : firstIndexFrom(instants, Date.parse(stay.to));
      const stateChanges = changes.get(stay.state);
      if (stateChanges === undefined || first >= afterLast) continue;
      stateChanges[first] = (stateChanges[first] ?? 0) + 1;
      stateChanges[afterLast] = (stateChanges[afterLast] ?? 0) - 1;
    }
  }
  const running = new Map(LIFECYCLE_STATES.map((state) => [state, 0]));
  return instants.flatMap((instant, index) => {
    const at = new Date(instant).toISOString();
    return LIFECYCLE_STATES.map((state) => {
      const tickets = (running.get(state) ?? 0) + (changes.get(state)?.[index] ?? 0);
      running.set(state, tickets);
      return { at, state, tickets };
    });
  });
}

/**
 * A cumulative flow diagram: the tickets opened in the window stacked by state at each step, the
 * first state of the lifecycle on top so the bands read top to bottom in the legend's order.
 */
export async function cumulativeFlowChart(
  facts: Iterable<TicketFacts>,
  window: ReportWindow,
  options: { step?: FlowStep; title?: string } = {},
): Promise<string> {
  const step = options.step ?? 'day';
  const counts = stateCounts(facts, window, step);
  const end = new Date(Math.min(window.to.getTime(), window.asOf.getTime()));
  const instants = sampleInstants(window, step);
  // Ticks on the steps themselves, few enough for their dates to fit: Vega's own would fall between days on a short window.
  const tickEvery = Math.ceil(instants.length / MAX_TICKS);
  const ticks = instants.filter((_, index) => index % tickEvery === 0);
  return renderSvg({
    ...CHART_SIZE,
    autosize: FIT_TO_SIZE,
    title: {
      text: options.title ?? 'Tickets by state over time',
      subtitle: `${populationLabel(window)}, by ${step} until ${shortInstant(end)}`,
    },
    data: { values: counts },
    transform: [{ calculate: `indexof(${JSON.stringify(LIFECYCLE_STATES)}, datum.state)`, as: 'lifecycleIndex' }],
    mark: { type: 'area' },
    encoding: {
      x: { field: 'at', type: 'temporal', title: 'Date (UTC)', scale: { type: 'utc' }, axis: { values: ticks, format: '%Y-%m-%d', labelOverlap: 'greedy' } },
      y: { field: 'tickets', type: 'quantitative', stack: 'zero', title: 'Tickets', axis: { format: 'd', tickMinStep: 1 } },
      color: {
        field: 'state',
        type: 'nominal',
        title: 'State',
        scale: { domain: [...LIFECYCLE_STATES], range: LIFECYCLE_STATES.map((state) => STATE_COLOURS[state]) },
      },
      // An area is one mark per state: say which, rather than the figures of its first point.
      description: { field: 'state', type: 'nominal' },
      order: { field: 'lifecycleIndex', type: 'quantitative', sort: 'descending' },
    },
  });
}
