import type { Ticket, TicketState, TicketStatus } from '@caseflow/domain';

/** What agents, admins and tools see of a ticket: its data, its state and the revision to send as If-Match. */
export type TicketView = Omit<Ticket, 'id'> & { id: string; state: TicketStatus; revision: number };

export function ticketView(state: TicketState, revision: bigint): TicketView | undefined {
  if (state.ticket === undefined) return undefined;
  return { ...state.ticket, state: state.status, revision: Number(revision) };
}
