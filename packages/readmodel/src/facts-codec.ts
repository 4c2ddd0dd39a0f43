import type { ResponseOutcome, Stay, TicketFacts } from '@caseflow/analytics';
import type { Category, LifecycleState, Plan, Severity } from '@caseflow/domain';

type StoredStay = [state: LifecycleState, severity: Severity, from: string];

/**
 * Report facts as the facts tables hold them: a JSON array of the values in a fixed order, without
 * the ticket id (the row's key) and with each stay's end left out (the next one's start). Facts
 * as an object spend most of their bytes on repeated keys, and a whole-log rebuild writes them for
 * every ticket: this form is under half the size (553 bytes a ticket on the rebuild benchmark's
 * log, against 1,259).
 */
type StoredFacts = [
  tenant: string,
  plan: Plan,
  region: string,
  category: Category,
  severity: Severity,
  openedAt: string,
  lastEventAt: string,
  policyId: string,
  policyVersion: number,
  followUpOf: string | null,
  outcome: ResponseOutcome,
  businessMs: number | null,
  respondedAt: string | null,
  dueAt: string | null,
  running: boolean,
  awaitingCustomerMs: number,
  downgrades: number,
  reopens: number,
  escalations: Record<string, number>,
  closedAt: string[],
  reopenedAt: string[],
  /** Each stay's state, severity and start: a stay ends where the next begins (see ticketFacts). */
  stays: StoredStay[],
  /** When the last stay ended; null while the ticket is still in it. */
  lastStayTo: string | null,
];

export function encodeFacts(facts: TicketFacts): string {
  const { initialResponse: response, stays } = facts;
  const stored: StoredFacts = [
    facts.tenant,
    facts.plan,
    facts.region,
    facts.category,
    facts.severity,
    facts.openedAt,
    facts.lastEventAt,
    facts.policy.id,
    facts.policy.version,
    facts.followUpOf ?? null,
    response.outcome,
    response.businessMs,
    response.respondedAt,
    response.dueAt,
    response.running,
    facts.awaitingCustomerMs,
    facts.downgrades,
    facts.reopens,
    facts.escalations,
    facts.closedAt,
    facts.reopenedAt,
    stays.map(({ state, severity, from }): StoredStay => [state, severity, from]),
    stays.at(-1)?.to ?? null,
  ];
  return JSON.stringify(stored);
}

/** The facts `encodeFacts` stored for ticket `ticketId`, with their keys in ticketFacts' order, so that equal facts serialise alike. */
export function decodeFacts(ticketId: string, text: string): TicketFacts {
  const [
    tenant,
    plan,
    region,
    category,
    severity,
    openedAt,
    lastEventAt,
    policyId,
    policyVersion,
    followUpOf,
    outcome,
    businessMs,
    respondedAt,
    dueAt,
    running,
    awaitingCustomerMs,
    downgrades,
    reopens,
    escalations,
    closedAt,
    reopenedAt,
    storedStays,
    lastStayTo,
  ] = JSON.parse(text) as StoredFacts;
  const stays = storedStays.map(([state, stayedSeverity, from], i): Stay => ({
    state,
    severity: stayedSeverity,
    from,
    to: storedStays[i + 1]?.[2] ?? lastStayTo,
  }));
  return {
    ticketId,
    tenant,
    plan,
    region,
    category,
    severity,
    openedAt,
    lastEventAt,
    policy: { id: policyId, version: policyVersion },
    ...(followUpOf === null ? {} : { followUpOf }),
    initialResponse: { outcome, businessMs, respondedAt, dueAt, running },
    awaitingCustomerMs,
    downgrades,
    reopens,
    escalations,
    closedAt,
    reopenedAt,
    stays,
  };
}
