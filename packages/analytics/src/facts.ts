import type { LifecycleState, Severity, TicketEvent } from '@caseflow/domain';
import { STATE_AFTER } from '@caseflow/domain';
import type { SlaClock, SlaPolicy } from '@caseflow/sla';
import { clocks } from '@caseflow/sla';
import type { ResponseOutcome, Stay, TicketFacts } from './types.js';

/** The states in which the ticket waits for the customer. */
const AWAITING_CUSTOMER: ReadonlySet<LifecycleState> = new Set<LifecycleState>(['awaitingCustomer', 'downgraded']);

/**
 * The link to the ticket this one follows up. TicketOpened v1 called it `relatedTicketId`, v2
 * `followUpOf`; histories read without upcasting (compact ones kept by a read model) may hold either.
 */
function followUpOf(opened: TicketEvent & { type: 'TicketOpened' }): string | undefined {
  const data = opened.data as { followUpOf?: unknown; relatedTicketId?: unknown };
  const link = data.followUpOf ?? data.relatedTicketId;
  return typeof link === 'string' ? link : undefined;
}

function outcomeOf(clock: SlaClock): ResponseOutcome {
  // Without a commitment a clock can never be late, so its status says nothing about the response.
  if (clock.dueAt === null) return 'no-commitment';
  switch (clock.status) {
    case 'fulfilled':
      return 'met';
    case 'breached':
      return 'breached';
    case 'running':
    case 'paused':
      return 'pending';
    case 'stopped':
      return 'stopped';
  }
}

/**
 * The first response cycle of the policy's first clock (the initial response), as of the last
 * event. A policy whose first clock has not started yet promises nothing so far: pending, not running.
 */
function initialResponse(ticketClocks: readonly SlaClock[], policy: SlaPolicy): TicketFacts['initialResponse'] {
  const [definition] = policy.clocks;
  const clock = ticketClocks.find((c) => c.name === definition?.name && c.cycle === 0);
  if (clock === undefined) return { outcome: 'pending', businessMs: null, respondedAt: null, dueAt: null, running: false };
  return {
    outcome: outcomeOf(clock),
    businessMs: clock.fulfilledAt === null ? null : clock.elapsedMs,
    respondedAt: clock.fulfilledAt?.toISOString() ?? null,
    dueAt: clock.dueAt?.toISOString() ?? null,
    running: clock.status === 'running',
  };
}

/** Escalation counts keyed by level, levels in ascending order (integer-like keys enumerate that way anyway; sorting says so). */
export function escalationsByLevel(counts: ReadonlyMap<number, number>): Record<string, number> {
  const byLevel: Record<string, number> = {};
  for (const level of [...counts.keys()].sort((a, b) => a - b)) byLevel[String(level)] = counts.get(level) ?? 0;
  return byLevel;
}

/**
 * What the reports need of one ticket: its whole history (current event versions, stream order)
 * folded under `policy`. Works on full histories and on the read model's compact ones (free
 * text blanked, envelopes stripped except TicketOpened's), because it reads only event types,
 * instants and data. One pass over the history plus the SLA clocks' own; no schema parsing,
 * since whole-log rebuilds call it once per ticket. The result is plain JSON with a fixed key
 * order, so equal histories give byte-identical facts.
 */
export function ticketFacts(
  history: readonly TicketEvent[],
  policy: SlaPolicy,
  /** `clocks(history, policy, <last event's instant>)`, when the caller has computed them already. */
  clocksAtLastEvent?: readonly SlaClock[],
): TicketFacts {
  const [opened, ...rest] = history;
  if (opened?.type !== 'TicketOpened') {
    throw new Error(`a ticket history starts with TicketOpened, this one with ${opened === undefined ? 'nothing' : opened.type}`);
  }
  let severity: Severity = opened.data.severity;
  let stay: Stay = { state: 'opened', severity, from: opened.occurredAt, to: null };
  const stays = [stay];
  let awaitingCustomerMs = 0;
  let downgrades = 0;
  let reopens = 0;
  const escalations = new Map<number, number>();
  const closedAt: string[] = [];
  const reopenedAt: string[] = [];

  for (const event of rest) {
    switch (event.type) {
      case 'TicketOpened':
        throw new Error(`ticket ${opened.ticketId} is opened twice, at ${opened.occurredAt} and ${event.occurredAt}`);
      case 'TicketTriaged':
        severity = event.data.severity;
        break;
      case 'TicketDowngraded':
        severity = event.data.to;
        downgrades += 1;
        break;
      case 'SeverityChanged':
        severity = event.data.to;
        break;
      case 'TicketEscalated':
        escalations.set(event.data.level, (escalations.get(event.data.level) ?? 0) + 1);
        break;
      case 'TicketClosed':
        closedAt.push(event.occurredAt);
        break;
      case 'TicketReopened':
        reopens += 1;
        reopenedAt.push(event.occurredAt);
        break;
      default:
        break;
    }
    const next = STATE_AFTER[event.type];
    if (next === undefined || next === stay.state) continue;
    stay.to = event.occurredAt;
    if (AWAITING_CUSTOMER.has(stay.state)) awaitingCustomerMs += Date.parse(stay.to) - Date.parse(stay.from);
    // Severity at entry: the event that moves the ticket (a triage, a downgrade) has already set it.
    stay = { state: next, severity, from: event.occurredAt, to: null };
    stays.push(stay);
  }

  const lastEventAt = history.at(-1)?.occurredAt ?? opened.occurredAt;
  const link = followUpOf(opened);
  const { data } = opened;
  return {
    ticketId: opened.ticketId,
    tenant: data.tenant,
    plan: data.plan,
    region: data.region,
    category: data.category,
    severity: data.severity,
    openedAt: opened.occurredAt,
    lastEventAt,
    policy: { id: policy.id, version: policy.version },
    ...(link === undefined ? {} : { followUpOf: link }),
    initialResponse: initialResponse(clocksAtLastEvent ?? clocks(history, policy, new Date(lastEventAt)), policy),
    awaitingCustomerMs,
    downgrades,
    reopens,
    escalations: escalationsByLevel(escalations),
    closedAt,
    reopenedAt,
    stays,
  };
}
