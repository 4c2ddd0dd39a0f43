import { assign, enqueueActions, setup } from 'xstate';
import type { Command, CommandType } from './commands.js';
import type { TicketEvent, TicketEventType } from './events.js';
import { factFor } from './facts.js';
import type { LifecycleState, TicketStatus } from './model.js';
import type { DecisionPolicy } from './policy.js';
import type { RuleName } from './rules.js';
import { firstViolation } from './rules.js';
import type { Ticket } from './ticket.js';
import { applyFact } from './ticket.js';

/** A command offered to the machine, with the time and policy it is decided under. */
export interface CommandEvent {
  type: CommandType;
  command: Command;
  now: string;
  policy: DecisionPolicy;
}
/** A recorded event replayed into the machine. Facts are never refused. */
export interface FactEvent {
  type: TicketEventType;
  fact: TicketEvent;
}
export interface TicketContext {
  ticket: Ticket | undefined;
}

interface Step {
  /** The state the command leads to; none means the ticket stays where it is. */
  to?: LifecycleState;
  /** Guards, in the order their refusals are reported. */
  rules: RuleName[];
}
type Steps = Partial<Record<CommandType, Step>>;

const inAnyOpenState: Steps = {
  note: { rules: ['participant'] },
  assign: { rules: ['staffOnly', 'reassignNeedsSupervisor'] },
  escalate: { rules: ['staffOrService', 'escalationRises'] },
  'change-severity': { rules: ['supervisorOnly', 'severityRises', 'severityAvailable'] },
};
const triage: Step = { to: 'triaged', rules: ['staffOnly', 'severityAvailable'] };
const customerReply: Step = { to: 'triaged', rules: ['customerSide'] };
const resolve: Step = { to: 'resolved', rules: ['staffOnly'] };
const closeUnresolved: Step = { to: 'closed', rules: ['participant', 'unresolvedCloseReason'] };

/** The lifecycle table of DESIGN.md: for each state, the commands it accepts and their rules. */
export const LIFECYCLE: Record<TicketStatus, Steps> = {
  none: { open: { to: 'opened', rules: ['mayOpen', 'severityAvailable'] } },
  opened: { triage, close: closeUnresolved, ...inAnyOpenState },
  triaged: {
    'request-info': { to: 'awaitingCustomer', rules: ['staffOnly'] },
    resolve,
    close: closeUnresolved,
    ...inAnyOpenState,
  },
  awaitingCustomer: {
    'customer-reply': customerReply,
    downgrade: { to: 'downgraded', rules: ['staffOrService', 'canLowerSeverity'] },
    resolve,
    close: closeUnresolved,
    ...inAnyOpenState,
  },
  downgraded: { 'customer-reply': customerReply, resolve, close: closeUnresolved, ...inAnyOpenState },
  resolved: {
    close: { to: 'closed', rules: ['participant', 'resolvedCloseReason'] },
    reopen: { to: 'reopened', rules: ['customerSide'] },
    note: { rules: ['participant'] },
  },
  closed: { reopen: { to: 'reopened', rules: ['customerSide', 'withinReopenWindow'] } },
  reopened: { triage, ...inAnyOpenState },
};

/** Where each recorded event leaves the ticket; undefined: where it was. */
export const STATE_AFTER: Record<TicketEventType, LifecycleState | undefined> = {
  TicketOpened: 'opened',
  TicketTriaged: 'triaged',
  InfoRequested: 'awaitingCustomer',
  CustomerReplied: 'triaged',
  TicketDowngraded: 'downgraded',
  TicketResolved: 'resolved',
  TicketClosed: 'closed',
  TicketReopened: 'reopened',
  NoteAdded: undefined,
  TicketAssigned: undefined,
  TicketEscalated: undefined,
  SeverityChanged: undefined,
};

const ruleInput = (context: TicketContext, event: CommandEvent) => ({
  ticket: context.ticket,
  command: event.command,
  now: event.now,
  policy: event.policy,
});

const machineSetup = setup({
  types: { context: {} as TicketContext, events: {} as CommandEvent | FactEvent, emitted: {} as TicketEvent },
  guards: {
    rulesPass: ({ context, event }, params: { rules: RuleName[] }) =>
      firstViolation(params.rules, ruleInput(context, event as CommandEvent)) === undefined,
  },
  actions: {
    /** An accepted command: emit its event and apply it, exactly as `evolve` will. */
    record: enqueueActions(({ context, event, enqueue }) => {
      const { command, now, policy } = event as CommandEvent;
      const fact = factFor(context.ticket, command, now, policy);
      enqueue.emit(fact);
      enqueue.assign({ ticket: applyFact(context.ticket, fact) });
    }),
    applyFact: assign({ ticket: ({ context, event }) => applyFact(context.ticket, (event as FactEvent).fact) }),
  },
});

function commandTransitions(steps: Steps) {
  return Object.fromEntries(
    Object.entries(steps).map(([command, step]) => [
      command,
      { guard: { type: 'rulesPass' as const, params: { rules: step.rules } }, target: step.to, actions: 'record' as const },
    ]),
  );
}

/**
 * The ticket machine. Commands move it through the lifecycle table, guarded by the rules;
 * recorded events (facts) move it unconditionally, which is how history is replayed.
 */
export const ticketMachine = machineSetup.createMachine({
  id: 'ticket',
  initial: 'none',
  context: { ticket: undefined },
  on: Object.fromEntries(
    Object.entries(STATE_AFTER).map(([type, to]) => [type, { target: to === undefined ? undefined : `.${to}`, actions: 'applyFact' as const }]),
  ),
  states: Object.fromEntries(Object.entries(LIFECYCLE).map(([state, steps]) => [state, { on: commandTransitions(steps) }])),
});

export type TicketMachine = typeof ticketMachine;
