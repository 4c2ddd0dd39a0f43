/**
 * Realistic ticket histories for SLA tests: every step is a command run through the domain's
 * `decide`, so a history here is one the engine could have stored.
 *
 *   const { events } = story({ plan: 'enterprise', severity: 'A' }, '2026-11-20T16:00:00Z')
 *     .triage('2026-11-20T16:40:00Z')
 *     .resolve('2026-11-21T09:00:00Z');
 */
import type { Actor, CommandInput, DecisionPolicy, Severity, TicketEvent, TicketState } from '@caseflow/domain';
import { decide, defaultDecisionPolicy, evolve, initialState } from '@caseflow/domain';
import type { ClockDefinition, SlaPolicy } from '../src/policy.js';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const DAY = 24 * HOUR;

export const TICKET_ID = 'T-2001';
const TENANT = 'contoso';

export const actors = {
  customerAdmin: { id: 'alice@contoso.com', role: 'customer-admin', tenant: TENANT },
  agent: { id: 'agent-7', role: 'agent', tenant: 'support' },
  supervisor: { id: 'sup-1', role: 'supervisor', tenant: 'support' },
  service: { id: 'sla-timer', role: 'service', tenant: 'support' },
} satisfies Record<string, Actor>;

type OpenInput = Extract<CommandInput, { type: 'open' }>;
export type OpenFields = Partial<Pick<OpenInput, 'plan' | 'region' | 'advancedAgreement' | 'category' | 'severity'>>;

/** Commands without the envelope: the story fills in ids and the default actor. */
type Step = { [T in CommandInput['type']]: Omit<Extract<CommandInput, { type: T }>, 'commandId' | 'ticketId' | 'actor'> }[CommandInput['type']];

export const instant = (at: Date | string): Date => new Date(at);
export const iso = (at: Date | null | undefined): string | null | undefined => (at instanceof Date ? at.toISOString() : at);
export const after = (at: Date | string, ms: number): Date => new Date(new Date(at).getTime() + ms);

export class Story {
  private state: TicketState = initialState;
  readonly events: TicketEvent[] = [];

  constructor(private readonly policy: DecisionPolicy = defaultDecisionPolicy) {}

  /** Runs a command; a refusal fails the test that built the story. */
  run(step: Step, at: Date | string, actor: Actor): this {
    const refusal = this.attempt(step, at, actor);
    if (refusal !== undefined) throw new Error(`${step.type} at ${iso(instant(at))} was refused: ${refusal}`);
    return this;
  }

  /** Tries a command: records its events, or returns why the domain refused it (and records nothing). */
  attempt(step: Step, at: Date | string, actor: Actor): string | undefined {
    const command = { ...step, commandId: `cmd-${this.events.length + 1}`, ticketId: TICKET_ID, actor };
    const decision = decide(this.state, command, { now: instant(at), policy: this.policy });
    if (!decision.ok) return decision.rejection.message;
    for (const event of decision.events) {
      this.events.push(event);
      this.state = evolve(this.state, event);
    }
    return undefined;
  }

  get status() {
    return this.state.status;
  }

  get lastEventAt(): Date | undefined {
    const at = this.state.ticket?.lastEventAt;
    return at === undefined ? undefined : instant(at);
  }

  open(fields: OpenFields, at: Date | string): this {
    return this.run(
      {
        type: 'open',
        tenant: TENANT,
        plan: 'enterprise',
        region: 'US',
        category: 'technical',
        severity: 'B',
        title: 'Mail flow to external recipients stopped',
        contact: { email: 'alice@contoso.com', preferred: 'email' },
        language: 'en',
        ...fields,
      },
      at,
      actors.customerAdmin,
    );
  }
  triage(at: Date | string, fields: { severity?: Severity; category?: OpenInput['category'] } = {}): this {
    return this.run({ type: 'triage', ...fields }, at, actors.agent);
  }
  requestInfo(at: Date | string): this {
    return this.run({ type: 'request-info' }, at, actors.agent);
  }
  customerReply(at: Date | string): this {
    return this.run({ type: 'customer-reply' }, at, actors.customerAdmin);
  }
  downgrade(at: Date | string): this {
    return this.run({ type: 'downgrade', reason: 'no customer response within the collaboration window' }, at, actors.service);
  }
  changeSeverity(at: Date | string, severity: Severity): this {
    return this.run({ type: 'change-severity', severity }, at, actors.supervisor);
  }
  escalate(at: Date | string, level: number, clock?: string): this {
    return this.run({ type: 'escalate', level, ...(clock === undefined ? {} : { clock }) }, at, actors.service);
  }
  resolve(at: Date | string): this {
    return this.run({ type: 'resolve', text: 'Connector certificate renewed.' }, at, actors.agent);
  }
  close(at: Date | string, reason?: 'cancelled' | 'duplicate' | 'confirmed'): this {
    return this.run({ type: 'close', ...(reason === undefined ? {} : { reason }) }, at, actors.customerAdmin);
  }
  reopen(at: Date | string): this {
    return this.run({ type: 'reopen', text: 'Still broken.' }, at, actors.customerAdmin);
  }
  note(at: Date | string): this {
    return this.run({ type: 'note', text: 'Looking into it.' }, at, actors.agent);
  }
}

/** A ticket opened at `at` (an enterprise technical Sev B request from the US unless told otherwise). */
export const story = (fields: OpenFields, at: Date | string, policy?: DecisionPolicy) => new Story(policy).open(fields, at);

const technicalResolution = {
  A: { within: 'PT4H', calendar: '24x7' },
  B: { within: 'PT8H', calendar: '24x7' },
  C: { within: 'PT16H', calendar: '24x7' },
};
const regionHoursResolution = {
  A: { within: { businessDays: 2 }, calendar: 'region' },
  B: { within: { businessDays: 2 }, calendar: 'region' },
  C: { within: { businessDays: 5 }, calendar: 'region' },
};
const resolutionByCategory = { technical: technicalResolution, billing: regionHoursResolution, presales: regionHoursResolution };

/**
 * A resolution clock (opened or reopened until resolved, paused while awaiting the customer),
 * so that pausing, downgrades and category changes show on a clock that outlives triage. Its
 * targets, on every plan: technical A 4 h, B 8 h, C 16 h on the wall clock; billing and presales
 * 2 business days (5 for C) on the region's hours.
 */
export const RESOLUTION_CLOCK: ClockDefinition = {
  name: 'resolution',
  startedBy: ['TicketOpened', 'TicketReopened'],
  fulfilledBy: ['TicketResolved'],
  stoppedBy: ['TicketClosed'],
  pausedIn: ['awaitingCustomer', 'downgraded'],
  targets: {
    business: resolutionByCategory,
    enterprise: resolutionByCategory,
    frontline: resolutionByCategory,
    elevated: resolutionByCategory,
    '21vianet': resolutionByCategory,
  },
};

/** The policy with the resolution clock after its own. */
export const withResolutionClock = (policy: SlaPolicy): SlaPolicy => ({ ...policy, id: 'with-resolution', clocks: [...policy.clocks, RESOLUTION_CLOCK] });
