import type { Category, CloseReason, Contact, Plan, Severity, TicketStatus } from './model.js';
import type { PolicyRef, RecordedActor, TicketEvent } from './events.js';

/** Everything known about a ticket, folded from its events. */
export interface Ticket {
  id: string;
  tenant: string;
  plan: Plan;
  region: string;
  advancedAgreement: boolean;
  category: Category;
  severity: Severity;
  title: string;
  description: string;
  contact: Contact;
  language: string;
  policy: PolicyRef;
  relatedTicketId?: string;
  openedBy: RecordedActor;
  owner?: string;
  queue?: string;
  /** The highest escalation level of the current response cycle. */
  escalationLevel: number;
  /** The escalation level reached by each SLA clock in the current response cycle. */
  clockEscalations: Record<string, number>;
  openedAt: string;
  triagedAt?: string;
  resolvedAt?: string;
  resolution?: string;
  closedAt?: string;
  closeReason?: CloseReason;
  reopenCount: number;
  downgradeCount: number;
  lastEventAt: string;
}

/** A ticket's lifecycle state and its data; `ticket` is undefined until it is opened. */
export interface TicketState {
  status: TicketStatus;
  ticket: Ticket | undefined;
}

export const initialState: TicketState = { status: 'none', ticket: undefined };

/** Every field of a ticket, the optional ones included, so that the compiler names any field a copy leaves out. */
type EveryField<T> = { [K in keyof Required<T>]: T[K] };

/**
 * A copy with every field listed in one order: copies then share one hidden class, and cost some
 * tenth of a spread, which matters to applyFact, which copies the ticket for each event it applies.
 */
function copyTicket(ticket: Ticket): Ticket {
  const copy: EveryField<Ticket> = {
    id: ticket.id,
    tenant: ticket.tenant,
    plan: ticket.plan,
    region: ticket.region,
    advancedAgreement: ticket.advancedAgreement,
    category: ticket.category,
    severity: ticket.severity,
    title: ticket.title,
    description: ticket.description,
    contact: ticket.contact,
    language: ticket.language,
    policy: ticket.policy,
    relatedTicketId: ticket.relatedTicketId,
    openedBy: ticket.openedBy,
    owner: ticket.owner,
    queue: ticket.queue,
    escalationLevel: ticket.escalationLevel,
    clockEscalations: ticket.clockEscalations,
    openedAt: ticket.openedAt,
    triagedAt: ticket.triagedAt,
    resolvedAt: ticket.resolvedAt,
    resolution: ticket.resolution,
    closedAt: ticket.closedAt,
    closeReason: ticket.closeReason,
    reopenCount: ticket.reopenCount,
    downgradeCount: ticket.downgradeCount,
    lastEventAt: ticket.lastEventAt,
  };
  return copy;
}

/**
 * How one event changes the ticket's data. The lifecycle state it leads to is the machine's
 * business; this only records facts.
 */
export function applyFact(ticket: Ticket | undefined, event: TicketEvent): Ticket {
  return applyFactInPlace(ticket === undefined || event.type === 'TicketOpened' ? ticket : copyTicket(ticket), event);
}

/**
 * applyFact to a fold that owns its ticket (`fold` applies its first event with applyFact): one
 * that is not opened changes in place, as no one sees it between two events, where applyFact
 * copies the whole ticket per event and a whole-log replay folds millions of them.
 */
export function applyFactInPlace(ticket: Ticket | undefined, event: TicketEvent): Ticket {
  if (event.type === 'TicketOpened') {
    const { data } = event;
    const opened: EveryField<Ticket> = {
      id: event.ticketId,
      tenant: data.tenant,
      plan: data.plan,
      region: data.region,
      advancedAgreement: data.advancedAgreement,
      category: data.category,
      severity: data.severity,
      title: data.title,
      description: data.description,
      contact: data.contact,
      language: data.language,
      policy: data.policy,
      relatedTicketId: data.followUpOf,
      openedBy: event.actor,
      owner: undefined,
      queue: undefined,
      escalationLevel: 0,
      clockEscalations: {},
      openedAt: event.occurredAt,
      triagedAt: undefined,
      resolvedAt: undefined,
      resolution: undefined,
      closedAt: undefined,
      closeReason: undefined,
      reopenCount: 0,
      downgradeCount: 0,
      lastEventAt: event.occurredAt,
    };
    return opened;
  }
  if (ticket === undefined) throw new Error(`${event.type} ${event.id} precedes the ticket's TicketOpened event`);
  ticket.lastEventAt = event.occurredAt;
  switch (event.type) {
    case 'TicketTriaged':
      ticket.severity = event.data.severity;
      ticket.category = event.data.category;
      if (event.data.owner !== undefined) ticket.owner = event.data.owner;
      if (event.data.queue !== undefined) ticket.queue = event.data.queue;
      ticket.triagedAt ??= event.occurredAt;
      return ticket;
    case 'TicketDowngraded':
      ticket.severity = event.data.to;
      ticket.downgradeCount += 1;
      return ticket;
    case 'SeverityChanged':
      ticket.severity = event.data.to;
      return ticket;
    case 'TicketResolved':
      ticket.resolvedAt = event.occurredAt;
      ticket.resolution = event.data.summary;
      return ticket;
    case 'TicketClosed':
      ticket.closedAt = event.occurredAt;
      ticket.closeReason = event.data.reason;
      return ticket;
    case 'TicketReopened':
      // A reopen starts a new response cycle: the escalations of the last one no longer apply.
      ticket.reopenCount += 1;
      ticket.escalationLevel = 0;
      ticket.clockEscalations = {};
      ticket.resolvedAt = undefined;
      ticket.resolution = undefined;
      ticket.closedAt = undefined;
      ticket.closeReason = undefined;
      return ticket;
    case 'TicketAssigned':
      ticket.owner = event.data.owner;
      if (event.data.queue !== undefined) ticket.queue = event.data.queue;
      return ticket;
    case 'TicketEscalated': {
      const { level, clock } = event.data;
      ticket.escalationLevel = Math.max(ticket.escalationLevel, level);
      if (clock !== undefined) ticket.clockEscalations = { ...ticket.clockEscalations, [clock]: Math.max(ticket.clockEscalations[clock] ?? 0, level) };
      return ticket;
    }
    case 'InfoRequested':
    case 'CustomerReplied':
    case 'NoteAdded':
      return ticket;
  }
}
