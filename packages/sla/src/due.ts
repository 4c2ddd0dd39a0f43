import type { Category, Plan, Severity } from '@caseflow/domain';
import { severityRefusal } from '@caseflow/domain';
import type { SlaPolicy } from './policy.js';
import { decisionPolicyOf, policyLabel } from './policy.js';
import { isoTarget, targetFor } from './targets.js';

export interface DueQuery {
  plan: Plan;
  severity: Severity;
  category: Category;
  region: string;
  advancedAgreement: boolean;
  opened: Date;
}

export type DueAnswer =
  | {
      ok: true;
      /** The clock answered for: the policy's first (the initial response). */
      clock: string;
      /** Null for no commitment. */
      dueAt: Date | null;
      /** ISO 8601 duration of working time on `calendar`; null for no commitment. */
      target: string | null;
      calendar: string;
      /** `<id>@<version>` */
      policy: string;
    }
  | { ok: false; code: 'severity_not_allowed'; reason: string; policy: string };

/** When the first response to a request opened at `query.opened` is due under the policy: the answer the CLI gives. */
export function dueFor(query: DueQuery, policy: SlaPolicy): DueAnswer {
  const label = policyLabel(policy);
  const reason = severityRefusal(decisionPolicyOf(policy), query);
  if (reason !== undefined) return { ok: false, code: 'severity_not_allowed', reason, policy: label };
  const [clock] = policy.clocks;
  if (clock === undefined) throw new Error(`policy ${label} defines no clock`);
  const { ms, calendar } = targetFor(policy, clock, query);
  return {
    ok: true,
    clock: clock.name,
    dueAt: ms === null ? null : calendar.calendar.add(query.opened, ms),
    target: ms === null ? null : isoTarget(ms),
    calendar: calendar.name,
    policy: label,
  };
}
