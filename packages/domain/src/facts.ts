import { v5 as uuidv5 } from 'uuid';
import type { Command } from './commands.js';
import type { EventData, TicketEvent, TicketEventType } from './events.js';
import { EVENT_VERSIONS } from './events.js';
import { lowerSeverity } from './model.js';
import type { DecisionPolicy } from './policy.js';
import type { Ticket } from './ticket.js';

const EVENT_ID_NAMESPACE = '6f1d3c2e-8a4b-5c7d-9e0f-1a2b3c4d5e6f';

/**
 * Deterministic: the same command on the same ticket always yields the same event ids, which
 * makes retries idempotent. The ticket is part of the name because command ids are only unique
 * per ticket (an Idempotency-Key reused on another ticket is another command).
 */
export function eventIdFor(ticketId: string, commandId: string, index: number): string {
  return uuidv5(`${ticketId}/${commandId}#${index}`, EVENT_ID_NAMESPACE);
}

/** A new ticket's id, derived from the open command's id so that a retried open finds its ticket. */
export function ticketIdFor(openCommandId: string): string {
  return uuidv5(`ticket:${openCommandId}`, EVENT_ID_NAMESPACE);
}

function defaultCloseReason(command: Extract<Command, { type: 'close' }>) {
  switch (command.actor.role) {
    case 'service':
      return 'auto-close';
    case 'agent':
    case 'supervisor':
      return 'agent-closed';
    default:
      return 'confirmed';
  }
}

function stamp<T extends TicketEventType>(type: T, command: Command, now: string, data: EventData<T>): TicketEvent {
  const { actor } = command;
  return {
    id: eventIdFor(command.ticketId, command.commandId, 0),
    type,
    version: EVENT_VERSIONS[type],
    ticketId: command.ticketId,
    occurredAt: now,
    actor: { id: actor.id, role: actor.role, tenant: actor.tenant },
    commandId: command.commandId,
    correlationId: command.correlationId ?? command.commandId,
    causationId: command.causationId ?? command.commandId,
    data,
  } as TicketEvent;
}

const withText = (text: string | undefined) => (text === undefined ? {} : { text });

/** The event an accepted command records. Only called once the machine's guards have passed. */
export function factFor(ticket: Ticket | undefined, command: Command, now: string, policy: DecisionPolicy): TicketEvent {
  if (command.type === 'open') {
    const { type: _t, commandId: _c, ticketId: _i, actor: _a, correlationId: _r, causationId: _s, relatedTicketId, ...opened } = command;
    return stamp('TicketOpened', command, now, {
      ...opened,
      policy: { id: policy.id, version: policy.version },
      ...(relatedTicketId === undefined ? {} : { followUpOf: relatedTicketId }),
    });
  }
  if (ticket === undefined) throw new Error(`${command.type} needs an opened ticket`);
  switch (command.type) {
    case 'triage': {
      const owner = command.owner ?? ticket.owner;
      const queue = command.queue ?? ticket.queue;
      return stamp('TicketTriaged', command, now, {
        severity: command.severity ?? ticket.severity,
        category: command.category ?? ticket.category,
        ...(owner === undefined ? {} : { owner }),
        ...(queue === undefined ? {} : { queue }),
        ...withText(command.text),
      });
    }
    case 'request-info':
      return stamp('InfoRequested', command, now, withText(command.text));
    case 'customer-reply':
      return stamp('CustomerReplied', command, now, withText(command.text));
    case 'downgrade': {
      const to = lowerSeverity(ticket.severity);
      if (to === undefined) throw new Error('downgrade below C passed its guard');
      return stamp('TicketDowngraded', command, now, { from: ticket.severity, to, reason: command.reason });
    }
    case 'resolve':
      return stamp('TicketResolved', command, now, { summary: command.text });
    case 'close':
      return stamp('TicketClosed', command, now, { reason: command.reason ?? defaultCloseReason(command), ...withText(command.text) });
    case 'reopen':
      return stamp('TicketReopened', command, now, withText(command.text));
    case 'note':
      return stamp('NoteAdded', command, now, { text: command.text, visibility: command.visibility });
    case 'assign':
      return stamp('TicketAssigned', command, now, {
        owner: command.owner,
        ...(command.queue === undefined ? {} : { queue: command.queue }),
      });
    case 'escalate':
      return stamp('TicketEscalated', command, now, {
        level: command.level,
        ...(command.clock === undefined ? {} : { clock: command.clock }),
        ...(command.reason === undefined ? {} : { reason: command.reason }),
      });
    case 'change-severity':
      return stamp('SeverityChanged', command, now, {
        from: ticket.severity,
        to: command.severity,
        ...(command.reason === undefined ? {} : { reason: command.reason }),
      });
  }
}
