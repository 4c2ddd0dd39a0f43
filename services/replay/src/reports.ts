import type { GroupBy, SlaComparison, SlaReport, StatesReport, TicketFacts } from '@caseflow/analytics';
import { compareSla, pinnedReopenWindowMs, slaReport, statesReport, ticketFacts } from '@caseflow/analytics';
import { reopenWindowMillis } from '@caseflow/domain';
import { fromStored, readTicketStreams } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';
import { TicketList, rebuildTicketList } from '@caseflow/readmodel';
import type { SlaPolicy } from '@caseflow/sla';
import { decisionPolicyOf, policyLabel } from '@caseflow/sla';

export interface ReportSource {
  /** The shared caseflow.db, whose read model holds every ticket's facts under its pinned policy. */
  file: string;
  store: EventStore;
  /** The policies tickets may have pinned; the first is the current one. */
  policies: readonly SlaPolicy[];
}

export interface ReportRequest {
  from: Date;
  to: Date;
  /** Default: the instant of the log's last event, so that the same log always gives the same report. */
  asOf?: Date;
}

/**
 * The read model, caught up with the log, not following it: call `stop` when done. A file whose
 * read model was never built (a generated or imported log) is rebuilt first, which folds ticket
 * by ticket several times faster than catching up event by event.
 */
export async function caughtUpList(source: ReportSource): Promise<TicketList> {
  const open = () => new TicketList({ file: source.file, store: source.store, policies: source.policies, follow: false });
  let list = open();
  if (list.checkpoint() === undefined) {
    await list.stop();
    await rebuildTicketList({ file: source.file, store: source.store, policies: source.policies });
    list = open();
  }
  try {
    await list.start();
    return list;
  } catch (error) {
    await list.stop();
    throw error;
  }
}

/** Every ticket's facts under its pinned policy, from the read model (caught up with the log first). */
export async function pinnedFacts(source: ReportSource): Promise<TicketFacts[]> {
  const list = await caughtUpList(source);
  try {
    return [...list.facts()];
  } finally {
    await list.stop();
  }
}

/** Every ticket's history replayed from the log under one policy instead of the one it pinned: the what-if. */
export async function factsUnder(store: EventStore, policy: SlaPolicy): Promise<TicketFacts[]> {
  const facts: TicketFacts[] = [];
  for await (const records of readTicketStreams(store)) facts.push(ticketFacts(records.map(fromStored), policy));
  return facts;
}

/** The instant of the last event of all these tickets; the start of time for an empty log. */
export function lastEventOf(facts: Iterable<TicketFacts>): Date {
  let last = '';
  for (const { lastEventAt } of facts) if (lastEventAt > last) last = lastEventAt;
  return new Date(last === '' ? 0 : last);
}

/**
 * The SLA report under pinned policies; with `whatIf`, beside the same report replayed under that
 * policy. `pinned` is `pinnedFacts(source)` when the caller has read them already (for a chart).
 */
export async function slaReportFor(
  source: ReportSource,
  request: ReportRequest & { groupBy?: GroupBy; whatIf?: SlaPolicy },
  pinned?: readonly TicketFacts[],
): Promise<SlaReport | SlaComparison> {
  const actualFacts = pinned ?? (await pinnedFacts(source));
  const window = { from: request.from, to: request.to, asOf: request.asOf ?? lastEventOf(actualFacts) };
  const grouping = request.groupBy === undefined ? {} : { groupBy: request.groupBy };
  const actual = slaReport(actualFacts, { ...window, ...grouping, policy: 'pinned', reopenWindowMs: pinnedReopenWindowMs(source.policies) });
  if (request.whatIf === undefined) return actual;
  const { whatIf } = request;
  const whatIfReopenWindowMs = reopenWindowMillis(decisionPolicyOf(whatIf));
  const whatIfReport = slaReport(await factsUnder(source.store, whatIf), {
    ...window,
    ...grouping,
    policy: policyLabel(whatIf),
    reopenWindowMs: () => whatIfReopenWindowMs,
  });
  return compareSla(actual, whatIfReport);
}

/** The states report under pinned policies; `pinned` as for `slaReportFor`. */
export async function statesReportFor(source: ReportSource, request: ReportRequest, pinned?: readonly TicketFacts[]): Promise<StatesReport> {
  const facts = pinned ?? (await pinnedFacts(source));
  return statesReport(facts, { from: request.from, to: request.to, asOf: request.asOf ?? lastEventOf(facts) });
}
