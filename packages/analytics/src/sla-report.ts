import { escalationsByLevel } from './facts.js';
import { medianAndP90 } from './percentile.js';
import type { GroupBy, ResponseOutcome, SlaComparison, SlaReport, SlaReportOptions, SlaRow, TicketFacts } from './types.js';
import { populationOf } from './window.js';

/** The figures of one group while the tickets are counted: a row before its percentiles. */
type Tally = Omit<SlaRow, 'group' | 'responseMedianMs' | 'responseP90Ms' | 'escalations'> & {
  responseMs: number[];
  escalations: Map<number, number>;
};

const newTally = (): Tally => ({
  tickets: 0,
  met: 0,
  breached: 0,
  noCommitment: 0,
  pending: 0,
  stopped: 0,
  responseMs: [],
  awaitingCustomerMs: 0,
  downgrades: 0,
  reopens: 0,
  reopensRefused: 0,
  escalations: new Map(),
});

/** The group key of a ticket; months are UTC "YYYY-MM", so lexical order is chronological. */
function groupKey(ticket: TicketFacts, groupBy: GroupBy): string {
  switch (groupBy) {
    case 'plan':
      return ticket.plan;
    case 'severity':
      return ticket.severity;
    case 'tenant':
      return ticket.tenant;
    case 'region':
      return ticket.region;
    case 'month':
      return new Date(Date.parse(ticket.openedAt)).toISOString().slice(0, 7);
  }
}

/** Code-unit order: the same on every machine and locale (severities A, B, C; months chronological). */
export const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A pending response whose clock was still running and is due by `asOf` has run out by then. */
function outcomeAsOf(response: TicketFacts['initialResponse'], asOf: number): ResponseOutcome {
  const overdue = response.outcome === 'pending' && response.running && response.dueAt !== null && Date.parse(response.dueAt) <= asOf;
  return overdue ? 'breached' : response.outcome;
}

/** The count each outcome adds to. */
const OUTCOME_COUNT = {
  met: 'met',
  breached: 'breached',
  'no-commitment': 'noCommitment',
  pending: 'pending',
  stopped: 'stopped',
} as const satisfies Record<ResponseOutcome, keyof Tally>;

function count(tally: Tally, ticket: TicketFacts, asOf: number): void {
  tally.tickets += 1;
  tally[OUTCOME_COUNT[outcomeAsOf(ticket.initialResponse, asOf)]] += 1;
  // Facts carry a business time only for a response that came.
  if (ticket.initialResponse.businessMs !== null) tally.responseMs.push(ticket.initialResponse.businessMs);
  tally.awaitingCustomerMs += ticket.awaitingCustomerMs;
  tally.downgrades += ticket.downgrades;
  tally.reopens += ticket.reopens;
  for (const [level, times] of Object.entries(ticket.escalations)) {
    const key = Number(level);
    tally.escalations.set(key, (tally.escalations.get(key) ?? 0) + times);
  }
}

function rowOf(group: string, tally: Tally): SlaRow {
  const { median, p90 } = medianAndP90(tally.responseMs);
  return {
    group,
    tickets: tally.tickets,
    met: tally.met,
    breached: tally.breached,
    noCommitment: tally.noCommitment,
    pending: tally.pending,
    stopped: tally.stopped,
    responseMedianMs: median,
    responseP90Ms: p90,
    awaitingCustomerMs: tally.awaitingCustomerMs,
    downgrades: tally.downgrades,
    reopens: tally.reopens,
    reopensRefused: tally.reopensRefused,
    escalations: escalationsByLevel(tally.escalations),
  };
}

/** A group with no tickets, for lining up two reports whose groups differ. */
export const emptyRow = (group: string): SlaRow => rowOf(group, newTally());

/** What a refused reopen needs of a ticket in the population that was ever closed. */
interface Closable {
  closedAt: number[];
  reopenedAt: number[];
  reopenWindowMs: number;
  tallies: Tally[];
}

/** The last of ascending instants at or before `instant`; -Infinity when none is. */
function lastAtOrBefore(instants: readonly number[], instant: number): number {
  let last = Number.NEGATIVE_INFINITY;
  for (const candidate of instants) {
    if (candidate > instant) break;
    last = candidate;
  }
  return last;
}

/**
 * A follow-up opened at `openedAt` is a refused reopen of the ticket when that ticket was closed
 * then (its last close came after its last reopen) and its reopen window had ended: the
 * customer could not reopen it and had to open a new request.
 */
function isRefusedReopen(ticket: Closable, openedAt: number): boolean {
  const lastClose = lastAtOrBefore(ticket.closedAt, openedAt);
  if (lastClose === Number.NEGATIVE_INFINITY || lastClose <= lastAtOrBefore(ticket.reopenedAt, openedAt)) return false;
  return openedAt > lastClose + ticket.reopenWindowMs;
}

/**
 * The SLA report over the tickets opened in the window, in total and per group. `facts` holds
 * every ticket, also those opened outside the window: a follow-up opened later still counts as a
 * refused reopen of the ticket it follows up. Keeps O(tickets in the window + follow-ups) in memory.
 * Throws a RangeError for an invalid date or an empty window.
 */
export function slaReport(facts: Iterable<TicketFacts>, options: SlaReportOptions): SlaReport {
  const population = populationOf(options);
  const groupBy = options.groupBy ?? null;
  const total = newTally();
  const groups = new Map<string, Tally>();
  const closable = new Map<string, Closable>();
  const followUps: { of: string; openedAt: number }[] = [];

  for (const ticket of facts) {
    if (ticket.followUpOf !== undefined) followUps.push({ of: ticket.followUpOf, openedAt: Date.parse(ticket.openedAt) });
    if (!population.includes(ticket)) continue;
    const tallies = [total];
    if (groupBy !== null) {
      const key = groupKey(ticket, groupBy);
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = newTally()));
      tallies.push(group);
    }
    for (const tally of tallies) count(tally, ticket, population.asOf);
    if (ticket.closedAt.length > 0) {
      closable.set(ticket.ticketId, {
        closedAt: ticket.closedAt.map(Date.parse),
        reopenedAt: ticket.reopenedAt.map(Date.parse),
        reopenWindowMs: options.reopenWindowMs(ticket),
        tallies,
      });
    }
  }
  for (const followUp of followUps) {
    const ticket = closable.get(followUp.of);
    if (ticket === undefined || !isRefusedReopen(ticket, followUp.openedAt)) continue;
    for (const tally of ticket.tallies) tally.reopensRefused += 1;
  }

  return {
    kind: 'sla',
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    asOf: options.asOf.toISOString(),
    groupBy,
    policy: options.policy,
    rows: [...groups.keys()].sort(byKey).map((key) => rowOf(key, groups.get(key) ?? newTally())),
    total: rowOf('all', total),
  };
}

/**
 * The actual figures beside the what-if ones. Both must cover the same window, instant and
 * grouping, or the comparison would mean nothing; an Error says which differs.
 */
export function compareSla(actual: SlaReport, whatIf: SlaReport): SlaComparison {
  for (const field of ['from', 'to', 'asOf', 'groupBy'] as const) {
    if (actual[field] !== whatIf[field]) {
      throw new Error(`cannot compare SLA reports with different ${field}: ${String(actual[field])} (actual) and ${String(whatIf[field])} (what-if)`);
    }
  }
  return { kind: 'sla-what-if', actual, whatIf };
}
