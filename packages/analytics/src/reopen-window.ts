import { reopenWindowMillis } from '@caseflow/domain';
import type { SlaPolicy } from '@caseflow/sla';
import { decisionPolicyOf, defaultPolicy, policyLabel } from '@caseflow/sla';
import type { TicketFacts } from './types.js';

const reopenWindowOf = (policy: SlaPolicy): number => reopenWindowMillis(decisionPolicyOf(policy));

/**
 * `SlaReportOptions.reopenWindowMs` for facts under their pinned policies: the reopen window of
 * the policy each ticket pinned. A ticket whose pinned policy is not among `policies` was timed
 * under the first (the current one; the default policy when none is given), as the read model does.
 */
export function pinnedReopenWindowMs(policies: readonly SlaPolicy[]): (facts: TicketFacts) => number {
  const [current = defaultPolicy] = policies;
  const windows = new Map(policies.map((policy) => [policyLabel(policy), reopenWindowOf(policy)]));
  const currentWindow = reopenWindowOf(current);
  return (facts) => windows.get(policyLabel(facts.policy)) ?? currentWindow;
}
