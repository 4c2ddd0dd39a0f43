import { transition } from 'xstate';
import type { CommandType } from './commands.js';
import { Command } from './commands.js';
import type { TicketEvent } from './events.js';
import type { CommandEvent, TicketContext } from './machine.js';
import { LIFECYCLE, STATE_AFTER, ticketMachine } from './machine.js';
import type { TicketStatus } from './model.js';
import type { DecisionPolicy } from './policy.js';
import type { Rejection, ValidationIssue } from './rejection.js';
import { validationFailed } from './rejection.js';
import { firstViolation } from './rules.js';
import type { TicketState } from './ticket.js';
import { applyFact, applyFactInPlace, initialState } from './ticket.js';

export interface DecisionContext {
  /** The instant the command takes effect. Always given: the domain never reads a clock. */
  now: Date;
  policy: DecisionPolicy;
}

export type Decision = { ok: true; events: TicketEvent[] } | { ok: false; rejection: Rejection };

type Snapshot = ReturnType<typeof ticketMachine.resolveState>;

function toSnapshot(state: TicketState): Snapshot {
  return ticketMachine.resolveState({ value: state.status, context: { ticket: state.ticket } satisfies TicketContext });
}

function fromSnapshot(snapshot: Snapshot): TicketState {
  return { status: snapshot.value as TicketStatus, ticket: snapshot.context.ticket };
}

export function allowedCommands(status: TicketStatus): CommandType[] {
  return Object.keys(LIFECYCLE[status]) as CommandType[];
}

/** Validates a command at the boundary: the typed command, or a validation_failed rejection with zod's paths. */
export function parseCommand(input: unknown): { ok: true; command: Command } | { ok: false; rejection: Rejection } {
  const parsed = Command.safeParse(input);
  if (parsed.success) return { ok: true, command: parsed.data };
  const issues = parsed.error.issues.flatMap((issue): ValidationIssue[] => {
    const path = issue.path.map(pathKey);
    // zod reports unknown keys on their parent; callers want the offending key's own path.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: 'not a field of this command' }));
    return [{ path, message: readable(issue.message) }];
  });
  return { ok: false, rejection: validationFailed(issues) };
}

/** zod says "Invalid input: expected string, received undefined" for a missing field. */
const readable = (message: string) => (message.endsWith('received undefined') ? 'required' : message);

/** Decides what a command does to a ticket: the events it records, or why it is refused. Pure. */
export function decide(state: TicketState, input: unknown, context: DecisionContext): Decision {
  const parsed = parseCommand(input);
  if (!parsed.ok) return parsed;
  const { command } = parsed;
  if (Number.isNaN(context.now.getTime())) throw new Error('decide needs a valid instant for now');
  const now = context.now.toISOString();
  if (state.ticket !== undefined && context.now.getTime() < Date.parse(state.ticket.lastEventAt)) {
    return {
      ok: false,
      rejection: validationFailed([{ path: ['now'], message: `${now} is before the ticket's last event at ${state.ticket.lastEventAt}` }]),
    };
  }
  if (state.ticket !== undefined && command.ticketId !== state.ticket.id) {
    return {
      ok: false,
      rejection: validationFailed([{ path: ['ticketId'], message: `the command is for ticket ${command.ticketId}, not ${state.ticket.id}` }]),
    };
  }
  const event: CommandEvent = { type: command.type, command, now, policy: context.policy };
  const before = toSnapshot(state);
  const [, actions] = transition(ticketMachine, before, event);
  // The typings do not list emit among the executable actions, but `transition` returns it there.
  const events = actions.flatMap((a) => ((a.type as string) === 'xstate.emit' ? [(a.params as { event: TicketEvent }).event] : []));
  if (events.length > 0) return { ok: true, events };
  return { ok: false, rejection: explainRefusal(state, event) };
}

function explainRefusal(state: TicketState, event: CommandEvent): Rejection {
  const step = LIFECYCLE[state.status][event.type];
  if (step === undefined) {
    const allowed = allowedCommands(state.status);
    return {
      code: 'invalid_transition',
      message: `a ticket in state ${state.status} does not accept ${event.type}; it accepts ${allowed.join(', ') || 'nothing'}`,
      state: state.status,
      command: event.type,
      allowed,
    };
  }
  const rejection = firstViolation(step.rules, { ticket: state.ticket, command: event.command, now: event.now, policy: event.policy });
  if (rejection === undefined) throw new Error(`the machine refused ${event.type} in ${state.status} although every rule passed`);
  return rejection;
}

const pathKey = (key: PropertyKey): string | number => (typeof key === 'symbol' ? String(key) : key);

/** Applies one recorded event. Recorded events are facts: they are never refused. */
export function evolve(state: TicketState, event: TicketEvent): TicketState {
  const [next] = transition(ticketMachine, toSnapshot(state), { type: event.type, fact: event });
  return fromSnapshot(next);
}

export interface FoldOptions {
  /**
   * The state folded from is the caller's to give up: its ticket changes in place instead of being
   * copied first. For a pass that folds a history one event at a time and keeps no earlier state
   * (the SLA clocks'), which would otherwise copy the ticket per event.
   */
  inPlace?: boolean;
}

/**
 * Folds a history from scratch (or from a known state): the same result as applying `evolve`
 * event by event, which a property test holds it to. It reads the machine's own table of where
 * each event leads instead of interpreting one transition per event, because whole-log replays
 * run through here and the interpreter costs some twenty times more per event.
 */
export function fold(events: Iterable<TicketEvent>, from: TicketState = initialState, { inPlace = false }: FoldOptions = {}): TicketState {
  let { status, ticket } = from;
  // The ticket it starts from is the caller's: the first event applies to a copy (applyFact), unless given up.
  let owned = inPlace;
  for (const event of events) {
    ticket = owned ? applyFactInPlace(ticket, event) : applyFact(ticket, event);
    owned = true;
    status = STATE_AFTER[event.type] ?? status;
  }
  return { status, ticket };
}

/** The ticket as it was at an instant: the fold of every event that had occurred by then. */
export function stateAt(events: Iterable<TicketEvent>, instant: Date): TicketState {
  const cutoff = instant.getTime();
  const upTo: TicketEvent[] = [];
  for (const event of events) if (Date.parse(event.occurredAt) <= cutoff) upTo.push(event);
  return fold(upTo);
}
