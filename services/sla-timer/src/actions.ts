import type { Actor, CommandInput, TicketEvent } from '@caseflow/domain';
import type { NextTimer, SlaPolicy } from '@caseflow/sla';
import type { PendingTimer } from './timer-store.js';

/** Who the SLA worker's commands come from. */
export const SLA_ACTOR: Actor = { id: 'sla-timer', role: 'service', tenant: 'caseflow' };

/** The escalation level of each threshold: the warning is level 1, the breach level 2. */
export const ESCALATION_LEVEL = { warning: 1, breach: 2 } as const;

/** A `nextTimerAt` answer as the timer store keeps it. */
export function pendingTimer(next: NextTimer | undefined): PendingTimer | undefined {
  if (next === undefined) return undefined;
  if (next.reason === 'warning' || next.reason === 'breach') {
    return { at: next.at, reason: next.reason, clock: next.clock, cycle: next.cycle, level: ESCALATION_LEVEL[next.reason] };
  }
  return { at: next.at, reason: next.reason, cycle: next.cycle };
}

/** The stream revision of the last event of this type (stream revisions count events from 0). */
function lastRevisionOf(history: readonly TicketEvent[], type: TicketEvent['type']): number {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]?.type === type) return i;
  return -1;
}

export interface TimerAction {
  commandId: string;
  command: CommandInput;
}

const describeDuration = (period: SlaPolicy['autoClose']) =>
  typeof period.within === 'string' ? period.within : `${period.within.businessDays} business days`;

/**
 * The command a due timer calls for. Its id is a function of what it does, never of when: the
 * ticket, the clock, the response cycle and the level, so a restart, a rebalance, a duplicate
 * message or a second worker recomputing the same timer always sends the same id, and the
 * engine records it at most once.
 *
 * - warning / breach: `sla:<ticket>:escalate:<clock>:<cycle>:<level>` (levels only rise within
 *   a cycle, so the tuple names one escalation);
 * - collaboration window: `sla:<ticket>:downgrade:<cycle>:<revision of the InfoRequested that
 *   started the wait>`, because one cycle may legitimately downgrade more than once (A to B, the
 *   customer replies, the agent asks again, B to C);
 * - auto-close: `sla:<ticket>:auto-close:<cycle>:<revision of the TicketResolved>`.
 */
export function actionFor(ticketId: string, history: readonly TicketEvent[], next: NextTimer, policy: SlaPolicy): TimerAction {
  const base = { ticketId, actor: SLA_ACTOR };
  switch (next.reason) {
    case 'warning':
    case 'breach': {
      const level = ESCALATION_LEVEL[next.reason];
      const commandId = `sla:${ticketId}:escalate:${next.clock}:${next.cycle}:${level}`;
      const what =
        next.reason === 'warning'
          ? `${Math.round(policy.warningThreshold * 100)} % of the ${next.clock} target used`
          : `the ${next.clock} target was breached`;
      const reason = `${what} at ${next.at.toISOString()} (response cycle ${next.cycle})`;
      return { commandId, command: { ...base, type: 'escalate', commandId, level, clock: next.clock, reason } };
    }
    case 'collaboration-window': {
      const revision = lastRevisionOf(history, 'InfoRequested');
      const commandId = `sla:${ticketId}:downgrade:${next.cycle}:${revision}`;
      const reason = `no customer response within the collaboration window (${describeDuration(policy.collaborationWindow)})`;
      const causation = history[revision]?.id;
      return { commandId, command: { ...base, type: 'downgrade', commandId, reason, ...(causation === undefined ? {} : { causationId: causation }) } };
    }
    case 'auto-close': {
      const revision = lastRevisionOf(history, 'TicketResolved');
      const commandId = `sla:${ticketId}:auto-close:${next.cycle}:${revision}`;
      const text = `closed automatically: resolved and quiet for ${describeDuration(policy.autoClose)}`;
      const causation = history[revision]?.id;
      return {
        commandId,
        command: { ...base, type: 'close', commandId, reason: 'auto-close', text, ...(causation === undefined ? {} : { causationId: causation }) },
      };
    }
  }
}
