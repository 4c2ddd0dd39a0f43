import type { Category, LifecycleState, Plan, PolicyRef, Severity } from '@caseflow/domain';

/**
 * How a ticket's first response went, under the policy it was replayed with:
 * - met: the first response came by the due instant;
 * - breached: it came late, or the clock ran out before it came;
 * - no-commitment: the target promises no deadline (the response time is still measured);
 * - pending: no response yet and not yet due at the ticket's last event (see `running`, `dueAt`);
 * - stopped: the ticket closed (cancelled, duplicate...) before any response, while not yet due.
 */
export type ResponseOutcome = 'met' | 'breached' | 'no-commitment' | 'pending' | 'stopped';

/** A stretch of time the ticket spent in one lifecycle state; `to` is null while it is still there. */
export interface Stay {
  state: LifecycleState;
  /** The ticket's severity when it entered the state. */
  severity: Severity;
  from: string;
  to: string | null;
}

/**
 * What the reports need of one ticket, folded from its whole history under one SLA policy.
 * Plain JSON (stored as such in the report tables); instants are ISO strings in UTC.
 */
export interface TicketFacts {
  ticketId: string;
  tenant: string;
  plan: Plan;
  region: string;
  category: Category;
  /** The severity the ticket was opened with: the one the customer's request was made at. */
  severity: Severity;
  openedAt: string;
  lastEventAt: string;
  /** The policy these facts were computed under (the pinned one, or a what-if). */
  policy: PolicyRef;
  /** The closed ticket this one follows up (TicketOpened v2 `followUpOf`). */
  followUpOf?: string;
  initialResponse: {
    outcome: ResponseOutcome;
    /** Working time on the target's calendar until the first response; null until there is one. */
    businessMs: number | null;
    respondedAt: string | null;
    /** When the clock is (or was) due; null for no commitment. */
    dueAt: string | null;
    /** Whether the clock was counting at the last event: a pending response past `dueAt` at a later instant is breached. */
    running: boolean;
  };
  /** Wall-clock time spent awaiting the customer (awaitingCustomer and downgraded), in waits that ended. */
  awaitingCustomerMs: number;
  downgrades: number;
  reopens: number;
  /** Escalation events by level ("1", "2", ...). */
  escalations: Record<string, number>;
  /** Each TicketClosed's instant, in order. */
  closedAt: string[];
  /** Each TicketReopened's instant, in order. */
  reopenedAt: string[];
  stays: Stay[];
}

export type GroupBy = 'plan' | 'severity' | 'tenant' | 'region' | 'month';
export const GROUP_BY: readonly GroupBy[] = ['plan', 'severity', 'tenant', 'region', 'month'];

export interface ReportWindow {
  /** Tickets opened at or after this instant... */
  from: Date;
  /** ...and before this one. */
  to: Date;
  /** The instant the figures are as of: a pending response already due by then counts as breached. */
  asOf: Date;
}

/** How `slaReport` is asked: the window, the grouping, and what the facts were replayed under. */
export type SlaReportOptions = ReportWindow & {
  groupBy?: GroupBy;
  /** "pinned" (each ticket under its own pinned policy), or the what-if policy as id@version. */
  policy: string;
  /** The reopen window of a ticket's policy, in ms: a follow-up opened after it counts as a refused reopen. */
  reopenWindowMs: (facts: TicketFacts) => number;
};

export interface SlaRow {
  /** The group's key ("enterprise", "A", "2026-03"...), or "all" for the total. */
  group: string;
  tickets: number;
  met: number;
  breached: number;
  noCommitment: number;
  pending: number;
  stopped: number;
  /** Nearest-rank median and p90 of the first-response business time, over tickets that had one; null when none did. */
  responseMedianMs: number | null;
  responseP90Ms: number | null;
  awaitingCustomerMs: number;
  downgrades: number;
  reopens: number;
  /** Follow-up requests opened for these tickets after their reopen window had ended. */
  reopensRefused: number;
  /** Escalations by level ("1", "2"...), levels in ascending order. */
  escalations: Record<string, number>;
}

export interface SlaReport {
  kind: 'sla';
  from: string;
  to: string;
  asOf: string;
  groupBy: GroupBy | null;
  /** "pinned" (each ticket under its own pinned policy), or the what-if policy as id@version. */
  policy: string;
  rows: SlaRow[];
  total: SlaRow;
}

export interface StateRow {
  state: LifecycleState;
  severity: Severity;
  /** Completed stays only: a stay still in progress has no length yet. */
  stays: number;
  medianMs: number;
  p90Ms: number;
}

export interface TransitionRow {
  from: LifecycleState;
  to: LifecycleState;
  count: number;
}

export interface StatesReport {
  kind: 'states';
  from: string;
  to: string;
  asOf: string;
  rows: StateRow[];
  transitions: TransitionRow[];
}

/** The actual figures and the what-if ones, group by group. */
export interface SlaComparison {
  kind: 'sla-what-if';
  actual: SlaReport;
  whatIf: SlaReport;
}

export type Report = SlaReport | StatesReport | SlaComparison;
export type ReportFormat = 'table' | 'csv' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'csv', 'json'];
