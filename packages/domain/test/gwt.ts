/**
 * Given/when/then for the ticket decider, plus builders for commands and recorded events.
 *
 *   given([opened(), triaged()]).when(requestInfo()).thenEvents([{ type: 'InfoRequested' }]).andStatus('awaitingCustomer');
 *   given([opened()]).when(triage({ actor: actors.customerAdmin })).thenRejected('not_authorized');
 *
 * `given` replays its history through `evolve` (the machine's fact transitions), `when` runs
 * `decide`, and the `then...` methods check the outcome and everything that must hold with it:
 * accepted events match their schema and evolve into the expected status; a refusal carries no
 * events and leaves the given state untouched.
 */
import { expect } from '@jest/globals';
import type {
  Actor,
  CommandInput,
  CommandType,
  Decision,
  DecisionPolicy,
  EventData,
  LifecycleState,
  Rejection,
  RejectionCode,
  TicketEvent,
  TicketEventType,
  TicketState,
  TicketStatus,
} from '@caseflow/domain';
import { EVENT_VERSIONS, TicketEvent as TicketEventSchema, decide, defaultDecisionPolicy, eventIdFor, evolve, initialState } from '@caseflow/domain';

/** A Monday morning; default instant of every given event and of the first command. */
export const T0 = new Date('2025-03-03T09:00:00.000Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const TICKET_ID = 'T-1001';
export const TENANT = 'contoso';

export const at = (base: Date | string, offsetMillis = 0): Date => new Date(new Date(base).getTime() + offsetMillis);

/** One actor of every kind the rules distinguish. The ticket's tenant is `contoso`. */
export const actors = {
  customerAdmin: { id: 'alice@contoso.com', role: 'customer-admin', tenant: TENANT },
  customerUser: { id: 'bob@contoso.com', role: 'customer-user', tenant: TENANT },
  otherTenantAdmin: { id: 'eve@fabrikam.com', role: 'customer-admin', tenant: 'fabrikam' },
  delegatedPartner: { id: 'pat@northwind.com', role: 'partner', tenant: 'northwind', delegations: ['fabrikam', TENANT] },
  partnerWithoutDelegation: { id: 'pam@northwind.com', role: 'partner', tenant: 'northwind', delegations: ['fabrikam'] },
  agent: { id: 'agent-7', role: 'agent', tenant: 'support' },
  supervisor: { id: 'sup-1', role: 'supervisor', tenant: 'support' },
  analyst: { id: 'ana-3', role: 'analyst', tenant: 'support' },
  service: { id: 'sla-timer', role: 'service', tenant: 'support' },
} satisfies Record<string, Actor>;
export type ActorName = keyof typeof actors;
export const ACTOR_NAMES = Object.keys(actors) as ActorName[];

/** A copy, so that no test can change the shared table through a command it built. */
const actor = (name: ActorName): Actor => structuredClone(actors[name]);

// ---------------------------------------------------------------------------------------------
// Commands (what callers send; `decide` validates them)

type Input<T extends CommandType> = Extract<CommandInput, { type: T }>;
type With<T extends CommandType> = Partial<Omit<Input<T>, 'type'>>;

function envelope(type: CommandType, defaultActor: ActorName) {
  return { commandId: `cmd-${type}`, ticketId: TICKET_ID, actor: actor(defaultActor) };
}

export const open = (o: With<'open'> = {}): Input<'open'> => ({
  type: 'open',
  ...envelope('open', 'customerAdmin'),
  tenant: TENANT,
  plan: 'enterprise',
  region: 'US',
  category: 'technical',
  severity: 'B',
  title: 'Mail flow to external recipients stopped',
  contact: { email: 'alice@contoso.com', preferred: 'email' },
  language: 'en',
  ...o,
});
export const triage = (o: With<'triage'> = {}): Input<'triage'> => ({ type: 'triage', ...envelope('triage', 'agent'), ...o });
export const requestInfo = (o: With<'request-info'> = {}): Input<'request-info'> => ({
  type: 'request-info',
  ...envelope('request-info', 'agent'),
  text: 'Please send the message trace.',
  ...o,
});
export const customerReply = (o: With<'customer-reply'> = {}): Input<'customer-reply'> => ({
  type: 'customer-reply',
  ...envelope('customer-reply', 'customerAdmin'),
  text: 'Trace attached.',
  ...o,
});
export const downgrade = (o: With<'downgrade'> = {}): Input<'downgrade'> => ({
  type: 'downgrade',
  ...envelope('downgrade', 'service'),
  reason: 'no customer response within the collaboration window',
  ...o,
});
export const resolve = (o: With<'resolve'> = {}): Input<'resolve'> => ({
  type: 'resolve',
  ...envelope('resolve', 'agent'),
  text: 'Connector certificate renewed.',
  ...o,
});
export const close = (o: With<'close'> = {}): Input<'close'> => ({ type: 'close', ...envelope('close', 'customerAdmin'), ...o });
export const reopen = (o: With<'reopen'> = {}): Input<'reopen'> => ({ type: 'reopen', ...envelope('reopen', 'customerAdmin'), ...o });
export const note = (o: With<'note'> = {}): Input<'note'> => ({ type: 'note', ...envelope('note', 'agent'), text: 'Looking into it.', ...o });
export const assign = (o: With<'assign'> = {}): Input<'assign'> => ({ type: 'assign', ...envelope('assign', 'supervisor'), owner: 'agent-9', ...o });
export const escalate = (o: With<'escalate'> = {}): Input<'escalate'> => ({ type: 'escalate', ...envelope('escalate', 'service'), level: 1, ...o });
export const changeSeverity = (o: With<'change-severity'> = {}): Input<'change-severity'> => ({
  type: 'change-severity',
  ...envelope('change-severity', 'supervisor'),
  severity: 'A',
  ...o,
});

/** A valid command of each type, sent by an actor its rules accept, for tables over all commands. */
export const SAMPLE_COMMANDS: { [T in CommandType]: () => Input<T> } = {
  open,
  triage,
  'request-info': requestInfo,
  'customer-reply': customerReply,
  downgrade,
  resolve,
  close: () => close({ reason: 'cancelled' }),
  reopen,
  note,
  assign,
  escalate,
  'change-severity': changeSeverity,
};

// ---------------------------------------------------------------------------------------------
// Recorded events (the history a test starts from)

export interface FactOptions {
  at?: Date | string;
  actor?: Actor;
  commandId?: string;
}

const DEFAULT_FACT_ACTOR: Record<TicketEventType, ActorName> = {
  TicketOpened: 'customerAdmin',
  TicketTriaged: 'agent',
  InfoRequested: 'agent',
  CustomerReplied: 'customerAdmin',
  TicketDowngraded: 'service',
  TicketResolved: 'agent',
  TicketClosed: 'customerAdmin',
  TicketReopened: 'customerAdmin',
  NoteAdded: 'agent',
  TicketAssigned: 'agent',
  TicketEscalated: 'service',
  SeverityChanged: 'agent',
};

export function fact<T extends TicketEventType>(type: T, data: EventData<T>, o: FactOptions = {}): TicketEvent {
  const commandId = o.commandId ?? `given-${type}`;
  const { id, role, tenant } = o.actor ?? actor(DEFAULT_FACT_ACTOR[type]);
  // The cast joins the generic type and its payload, which TypeScript cannot correlate itself.
  return {
    id: eventIdFor(TICKET_ID, commandId, 0),
    type,
    version: EVENT_VERSIONS[type],
    ticketId: TICKET_ID,
    occurredAt: new Date(o.at ?? T0).toISOString(),
    actor: { id, role, tenant },
    commandId,
    correlationId: commandId,
    causationId: commandId,
    data,
  } as TicketEvent;
}

export const OPENED_DATA: EventData<'TicketOpened'> = {
  tenant: TENANT,
  plan: 'enterprise',
  region: 'US',
  advancedAgreement: false,
  category: 'technical',
  severity: 'B',
  title: 'Mail flow to external recipients stopped',
  description: '',
  contact: { email: 'alice@contoso.com', preferred: 'email' },
  language: 'en',
  policy: { id: defaultDecisionPolicy.id, version: defaultDecisionPolicy.version },
};

export const opened = (d: Partial<EventData<'TicketOpened'>> = {}, o?: FactOptions) => fact('TicketOpened', { ...OPENED_DATA, ...d }, o);
export const triaged = (d: Partial<EventData<'TicketTriaged'>> = {}, o?: FactOptions) =>
  fact('TicketTriaged', { severity: 'B', category: 'technical', ...d }, o);
export const infoRequested = (o?: FactOptions) => fact('InfoRequested', {}, o);
export const customerReplied = (o?: FactOptions) => fact('CustomerReplied', {}, o);
export const downgraded = (d: Partial<EventData<'TicketDowngraded'>> = {}, o?: FactOptions) =>
  fact('TicketDowngraded', { from: 'B', to: 'C', reason: 'no response', ...d }, o);
export const resolved = (o?: FactOptions) => fact('TicketResolved', { summary: 'fixed' }, o);
export const closed = (d: Partial<EventData<'TicketClosed'>> = {}, o?: FactOptions) => fact('TicketClosed', { reason: 'confirmed', ...d }, o);
export const reopened = (o?: FactOptions) => fact('TicketReopened', {}, o);
export const noteAdded = (o?: FactOptions) => fact('NoteAdded', { text: 'hello', visibility: 'public' }, o);
export const assigned = (d: Partial<EventData<'TicketAssigned'>> = {}, o?: FactOptions) => fact('TicketAssigned', { owner: 'agent-9', ...d }, o);
export const escalated = (level: number, o?: FactOptions, clock?: string) =>
  fact('TicketEscalated', clock === undefined ? { level } : { level, clock }, o);
export const severityChanged = (d: Partial<EventData<'SeverityChanged'>> = {}, o?: FactOptions) =>
  fact('SeverityChanged', { from: 'B', to: 'A', ...d }, o);

/** The shortest history that leaves a (technical, Sev B, enterprise) ticket in each lifecycle state. */
export function historyTo(state: LifecycleState): TicketEvent[] {
  const toTriaged = [opened(), triaged()];
  switch (state) {
    case 'opened':
      return [opened()];
    case 'triaged':
      return toTriaged;
    case 'awaitingCustomer':
      return [...toTriaged, infoRequested()];
    case 'downgraded':
      return [...toTriaged, infoRequested(), downgraded()];
    case 'resolved':
      return [...toTriaged, resolved()];
    case 'closed':
      return [...toTriaged, resolved(), closed()];
    case 'reopened':
      return [...toTriaged, resolved(), closed(), reopened()];
  }
}

// ---------------------------------------------------------------------------------------------
// given / when / then

export interface WhenOptions {
  /** Defaults to an hour after the last given event (or T0 with no history). */
  now?: Date | string;
  policy?: DecisionPolicy;
}

/** What a test may expect of an event: its type and any part of the rest. */
export type ExpectedEvent = { type: TicketEventType } & Record<string, unknown>;

export interface Accepted {
  events: TicketEvent[];
  /** The state after applying the new events to the given history. */
  state: TicketState;
  andStatus(status: TicketStatus): Accepted;
}

export interface Outcome {
  decision: Decision;
  thenEvents(expected: ExpectedEvent[]): Accepted;
  thenRejected(code: RejectionCode, details?: Record<string, unknown>): Rejection;
}

export interface Given {
  state: TicketState;
  when(command: CommandInput, options?: WhenOptions): Outcome;
  /** For malformed input that the command types would not let through. */
  whenRaw(input: unknown, options?: WhenOptions): Outcome;
}

export function given(history: TicketEvent[] = []): Given {
  const state = history.reduce(evolve, initialState);
  const last = history.reduce((max, e) => Math.max(max, Date.parse(e.occurredAt)), Number.NEGATIVE_INFINITY);
  const defaultNow = history.length === 0 ? T0 : new Date(last + HOUR);

  function whenRaw(input: unknown, options: WhenOptions = {}): Outcome {
    const before = structuredClone(state);
    const decision = decide(state, input, { now: new Date(options.now ?? defaultNow), policy: options.policy ?? defaultDecisionPolicy });
    // decide is pure: whatever it answers, the state it was given is untouched.
    expect(state).toEqual(before);
    return {
      decision,
      thenEvents(expected) {
        expect(decision).toMatchObject({ ok: true });
        if (!decision.ok) throw new Error('unreachable: the decision was checked to be accepted');
        expect(decision.events).toMatchObject(expected);
        for (const event of decision.events) expect(TicketEventSchema.parse(event)).toEqual(event);
        const after = decision.events.reduce(evolve, state);
        const accepted: Accepted = {
          events: decision.events,
          state: after,
          andStatus(status) {
            expect(after.status).toBe(status);
            return accepted;
          },
        };
        return accepted;
      },
      thenRejected(code, details = {}) {
        expect(decision).toMatchObject({ ok: false, rejection: { code, ...details } });
        expect(decision).not.toHaveProperty('events');
        if (decision.ok) throw new Error('unreachable: the decision was checked to be refused');
        return decision.rejection;
      },
    };
  }
  return { state, when: (command, options) => whenRaw(command, options), whenRaw };
}

/** The paths of a validation refusal's issues, for `toEqual` against the expected zod paths. */
export const issuePaths = (rejection: Rejection): (string | number)[][] =>
  rejection.code === 'validation_failed' ? rejection.issues.map((i) => i.path) : [];

/**
 * Decides and applies commands one after another, an hour apart from `start`, each on the state
 * the previous ones left; every command must be accepted. Command ids get the step number, so
 * that a history never holds the same event id twice.
 */
export function play(commands: CommandInput[], start: Date = T0): { events: TicketEvent[]; state: TicketState } {
  let state = initialState;
  const events: TicketEvent[] = [];
  commands.forEach((command, step) => {
    const numbered = { ...command, commandId: `${command.commandId}-${step}` };
    const decision = decide(state, numbered, { now: at(start, step * HOUR), policy: defaultDecisionPolicy });
    if (!decision.ok) throw new Error(`step ${step} (${command.type}) was refused: ${decision.rejection.message}`);
    events.push(...decision.events);
    state = decision.events.reduce(evolve, state);
  });
  return { events, state };
}

/** A ticket's whole life, touching every event type: two rounds, a downgrade and a reopen. */
export function fullLifecycle(start: Date = T0) {
  return play(
    [
      open({ severity: 'B' }),
      triage({ owner: 'agent-7', queue: 'exchange' }),
      assign({ owner: 'agent-9' }),
      note({ actor: actors.customerAdmin, text: 'Any news?' }),
      escalate({ level: 1, clock: 'resolution' }),
      changeSeverity({ severity: 'A', reason: 'whole tenant affected' }),
      requestInfo(),
      downgrade(),
      customerReply(),
      resolve(),
      close(),
      reopen({ text: 'It happened again.' }),
      triage(),
      requestInfo(),
      resolve(),
      close({ actor: actors.service }),
    ],
    start,
  );
}

/** The event each command records. */
export const EVENT_OF: Record<CommandType, TicketEventType> = {
  open: 'TicketOpened',
  triage: 'TicketTriaged',
  'request-info': 'InfoRequested',
  'customer-reply': 'CustomerReplied',
  downgrade: 'TicketDowngraded',
  resolve: 'TicketResolved',
  close: 'TicketClosed',
  reopen: 'TicketReopened',
  note: 'NoteAdded',
  assign: 'TicketAssigned',
  escalate: 'TicketEscalated',
  'change-severity': 'SeverityChanged',
};
