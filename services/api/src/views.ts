import type { LifecycleState, TicketEvent, TicketStatus } from '@caseflow/domain';
import type { HistoryEntry, TicketView } from '@caseflow/engine';
import type { PolicyList } from '@caseflow/sla';
import { clocks, isoWorkingTime, pinnedPolicy } from '@caseflow/sla';
import type { TicketViewBody } from './schemas.js';

/** The ticket view with its SLA clocks as they stand at `now`, under the policy pinned on the ticket. */
export function withClocks(view: TicketView, history: readonly TicketEvent[], policies: PolicyList, now: Date): TicketViewBody {
  const policy = pinnedPolicy(view.policy, policies);
  return {
    ...openedView(view),
    clocks: clocks(history, policy, now).map((clock) => ({
      name: clock.name,
      cycle: clock.cycle,
      status: clock.status,
      dueAt: clock.dueAt?.toISOString() ?? null,
      remaining: clock.remainingMs === null ? null : signedIsoDuration(clock.remainingMs),
      remainingMs: clock.remainingMs,
      target: clock.target,
      calendar: clock.calendar,
    })),
  };
}

/** A view exists only for an opened ticket, so its state is always a lifecycle state. */
function opened(state: TicketStatus): LifecycleState {
  if (state === 'none') throw new Error('a ticket view of a ticket that was never opened');
  return state;
}

const signedIsoDuration = (ms: number) => (ms < 0 ? `-${isoWorkingTime(-ms)}` : isoWorkingTime(ms));

/** The view as the API shows it: its state narrowed to a lifecycle state. */
export const openedView = (view: TicketView) => ({ ...view, state: opened(view.state) });

/** What a history shows a caller: internal notes only to support staff, analysts and the workers. */
export function visibleHistory(entries: readonly HistoryEntry[], seesInternalNotes: boolean) {
  return entries
    .filter(({ event }) => seesInternalNotes || !(event.type === 'NoteAdded' && event.data.visibility === 'internal'))
    .map(({ event, revision, stateAfter }) => ({ revision: Number(revision), event, stateAfter: openedView(stateAfter) }));
}
