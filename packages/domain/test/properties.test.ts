/**
 * Properties over random command sequences: random actors of every role and tenant, random
 * severities, categories and plans, malformed commands, and a clock that mostly advances (by
 * minutes, days, or just over the 14-day reopen window) and sometimes goes back.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import type {
  Actor,
  CommandType,
  Decision,
  DecisionPolicy,
  RejectionCode,
  Ticket,
  TicketEvent,
  TicketEventType,
  TicketState,
  TicketStatus,
} from '@caseflow/domain';
import {
  COMMAND_TYPES,
  Category,
  CloseReason,
  Command,
  LIFECYCLE,
  LIFECYCLE_STATES,
  Plan,
  RESOLVED_CLOSE_REASONS,
  Role,
  Severity,
  allowedCommands,
  decide,
  decodeEvent,
  defaultDecisionPolicy,
  eventIdFor,
  evolve,
  fold,
  initialState,
  stateAt,
} from '@caseflow/domain';
import { DAY, EVENT_OF, HOUR, T0, TICKET_ID, actors } from './gwt.js';

// ---------------------------------------------------------------------------------------------
// Generators

const TENANTS = ['contoso', 'fabrikam'] as const;

/** Mostly the actors that move a contoso ticket along, so that sequences get somewhere. */
const actorArb: fc.Arbitrary<Actor> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<Actor>(actors.agent, actors.supervisor) },
  { weight: 3, arbitrary: fc.constantFrom<Actor>(actors.customerAdmin, actors.delegatedPartner) },
  { weight: 1, arbitrary: fc.constant<Actor>(actors.service) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        id: fc.constantFrom('x1', 'x2'),
        role: fc.constantFrom(...Role.options),
        tenant: fc.constantFrom(...TENANTS, 'support'),
        delegations: fc.subarray([...TENANTS]),
      },
      { requiredKeys: ['id', 'role', 'tenant'] },
    ),
  },
);
const severityArb = fc.constantFrom(...Severity.options);
const categoryArb = fc.constantFrom(...Category.options);

/** Milliseconds to the next command: minutes, days, just over the reopen window, or back in time. */
const deltaArb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 2 * HOUR }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5 * DAY }) },
  { weight: 1, arbitrary: fc.integer({ min: 13 * DAY, max: 15 * DAY }) },
  { weight: 1, arbitrary: fc.integer({ min: -DAY, max: -1 }) },
);

/**
 * The random makings of one command. Which command they make is decided when the scenario runs:
 * mostly one the ticket's current state accepts (`guided`), otherwise any command at all, so
 * that sequences reach every state and still try everything everywhere.
 */
interface Seed {
  guided: boolean;
  /** Whether a guided command is sent by an actor of the kind that usually sends it. */
  fitting: boolean;
  pick: number;
  actor: Actor;
  tenant: string;
  plan: Plan;
  advancedAgreement: boolean;
  category: Category | undefined;
  severity: Severity | undefined;
  reason: CloseReason | undefined;
  level: number;
  malformed: 'unknown-key' | 'no-actor' | 'unknown-type' | undefined;
  delta: number;
}

const seedArb: fc.Arbitrary<Seed> = fc.record({
  guided: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  fitting: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  pick: fc.nat({ max: 1000 }),
  actor: actorArb,
  tenant: fc.constantFrom('contoso', 'contoso', 'fabrikam'),
  plan: fc.constantFrom(...Plan.options),
  advancedAgreement: fc.boolean(),
  category: fc.option(categoryArb, { nil: undefined }),
  severity: fc.option(severityArb, { nil: undefined }),
  reason: fc.option(fc.constantFrom(...CloseReason.options), { nil: undefined }),
  level: fc.integer({ min: 0, max: 10 }),
  malformed: fc.oneof(
    { weight: 20, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('unknown-key' as const, 'no-actor' as const, 'unknown-type' as const) },
  ),
  delta: deltaArb,
});

/** Drops the keys whose value is undefined, as a caller leaving a field out would. */
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The command a seed makes of the given type; optional fields only where the seed has them. */
function commandOf(type: CommandType, s: Seed): Record<string, unknown> {
  switch (type) {
    case 'open':
      return {
        type,
        actor: s.actor,
        tenant: s.tenant,
        plan: s.plan,
        advancedAgreement: s.advancedAgreement,
        category: s.category ?? 'technical',
        severity: s.severity ?? 'B',
        region: 'US',
        title: 'Outage',
        contact: { email: 'alice@contoso.com', preferred: 'email' },
        language: 'en',
      };
    case 'triage':
      return defined({ type, actor: s.actor, severity: s.severity, category: s.category, owner: s.pick % 2 ? 'agent-9' : undefined });
    case 'downgrade':
      return { type, actor: s.actor, reason: 'no response' };
    case 'resolve':
      return { type, actor: s.actor, text: 'fixed' };
    case 'close':
      return defined({ type, actor: s.actor, reason: s.reason });
    case 'note':
      return { type, actor: s.actor, text: 'hi', visibility: s.pick % 2 ? 'public' : 'internal' };
    case 'assign':
      return { type, actor: s.actor, owner: `agent-${s.pick % 3}` };
    case 'escalate':
      return { type, actor: s.actor, level: s.level };
    case 'change-severity':
      return { type, actor: s.actor, severity: s.severity ?? 'A' };
    case 'request-info':
    case 'customer-reply':
    case 'reopen':
      return { type, actor: s.actor };
  }
}

/**
 * What a guided seed picks from: the commands the state accepts, the ones that move the
 * lifecycle counted three times so that sequences travel rather than pile up notes.
 */
function guidedChoices(status: TicketStatus): CommandType[] {
  const moving = allowedCommands(status).filter((type) => LIFECYCLE[status][type]?.to !== undefined);
  return [...moving, ...moving, ...allowedCommands(status)];
}

/** Who usually sends each command; only steers generation, the properties do not rely on it. */
const USUAL_SENDER: Record<CommandType, Actor[]> = {
  open: [actors.customerAdmin, actors.agent],
  triage: [actors.agent],
  'request-info': [actors.agent],
  'customer-reply': [actors.customerAdmin, actors.delegatedPartner],
  downgrade: [actors.service, actors.agent],
  resolve: [actors.supervisor],
  close: [actors.customerAdmin, actors.service],
  reopen: [actors.customerAdmin],
  note: [actors.customerAdmin, actors.agent],
  assign: [actors.supervisor],
  escalate: [actors.service],
  'change-severity': [actors.supervisor],
};

function commandFor(seed: Seed, status: TicketStatus): Record<string, unknown> {
  const choices = seed.guided ? guidedChoices(status) : COMMAND_TYPES;
  const type = choices[seed.pick % choices.length] ?? 'note';
  if (seed.guided && seed.fitting) {
    const senders = USUAL_SENDER[type];
    seed = { ...seed, actor: senders[seed.pick % senders.length] ?? seed.actor };
  }
  const { actor: _actor, ...withoutActor } = commandOf(type, seed);
  switch (seed.malformed) {
    case 'unknown-key':
      return { ...commandOf(type, seed), priority: 'urgent' };
    case 'no-actor':
      return withoutActor;
    case 'unknown-type':
      return { ...commandOf(type, seed), type: 'delete' };
    case undefined:
      return commandOf(type, seed);
  }
}

const strictPolicy: DecisionPolicy = {
  id: 'strict',
  version: 3,
  reopenWindow: 'P7D',
  severity: {
    highestByCategory: { technical: 'A', billing: 'C', presales: 'C' },
    severityARequiresAgreement: ['21vianet', 'business'],
    plansWithoutSeverityA: ['frontline'],
  },
};

interface Scenario {
  policy: DecisionPolicy;
  seeds: Seed[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  policy: fc.constantFrom(defaultDecisionPolicy, strictPolicy),
  seeds: fc.array(seedArb, { minLength: 10, maxLength: 40 }),
});

// ---------------------------------------------------------------------------------------------
// Running a scenario

interface Traced {
  before: TicketState;
  /** A copy of `before` taken before deciding, to show that decide changed nothing. */
  beforeCopy: TicketState;
  input: Record<string, unknown>;
  now: Date;
  decision: Decision;
  after: TicketState;
}

/**
 * A deep copy made in the test's own realm, keeping undefined-valued keys. (structuredClone
 * builds its objects outside jest's sandbox, with other prototypes, which node's
 * isDeepStrictEqual counts as a difference; a JSON round trip drops undefined values.)
 */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  return value;
}

/** Decides each command on the state the accepted ones before it left, evolving as it goes. */
function run({ policy, seeds }: Scenario): { trace: Traced[]; events: TicketEvent[]; state: TicketState } {
  let state = initialState;
  let clock = T0.getTime();
  const events: TicketEvent[] = [];
  const trace: Traced[] = [];
  seeds.forEach((seed, i) => {
    clock += seed.delta;
    const now = new Date(clock);
    const input = { commandId: `c${i}`, ticketId: TICKET_ID, ...commandFor(seed, state.status) };
    const beforeCopy = copy(state);
    const decision = decide(state, input, { now, policy });
    const after = decision.ok ? decision.events.reduce(evolve, state) : state;
    trace.push({ before: state, beforeCopy, input, now, decision, after });
    if (decision.ok) events.push(...decision.events);
    state = after;
  });
  return { trace, events, state };
}

// ---------------------------------------------------------------------------------------------
// Invariants
//
// The checks collect what is wrong instead of calling `expect` for each fact: thousands of steps
// run per property, and one `expect(problems).toEqual([])` per scenario keeps that fast while
// still showing every problem (fast-check then shrinks the scenario to a minimal one).

const STATUSES: TicketStatus[] = ['none', ...LIFECYCLE_STATES];
const TRIAGED_STATES: TicketStatus[] = ['triaged', 'awaitingCustomer', 'downgraded', 'resolved'];
const RANK = { A: 0, B: 1, C: 2 } as const;

/** The policy's severity limits, restated independently of the rules module. */
function severityAllowed(policy: DecisionPolicy, t: Ticket): boolean {
  if (RANK[t.severity] < RANK[policy.severity.highestByCategory[t.category]]) return false;
  if (t.severity !== 'A') return true;
  if (policy.severity.plansWithoutSeverityA.includes(t.plan)) return false;
  return t.advancedAgreement || !policy.severity.severityARequiresAgreement.includes(t.plan);
}

/** Everything that must hold of a state reached by accepted commands only; returns what does not. */
function invalidities(state: TicketState, events: TicketEvent[], policy: DecisionPolicy): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  check(STATUSES.includes(state.status), `unknown status ${state.status}`);
  check((state.ticket === undefined) === (state.status === 'none'), 'a ticket exists exactly when the status is not none');
  const t = state.ticket;
  if (t === undefined) return problems;
  const count = (type: TicketEventType) => events.filter((e) => e.type === type).length;
  const openedEvent = events.find((e) => e.type === 'TicketOpened');
  const closedAfterResolving = state.status === 'closed' && (RESOLVED_CLOSE_REASONS as readonly string[]).includes(t.closeReason ?? '');

  check(Number.isInteger(t.escalationLevel) && t.escalationLevel >= 0 && t.escalationLevel <= 9, `escalation level ${t.escalationLevel}`);
  check(severityAllowed(policy, t), `severity ${t.severity} on a ${t.category} ticket, plan ${t.plan}, agreement ${t.advancedAgreement}`);
  check((t.closedAt !== undefined) === (state.status === 'closed'), 'closedAt is set exactly when closed');
  check((t.closeReason !== undefined) === (state.status === 'closed'), 'closeReason is set exactly when closed');
  // Resolved data exactly when resolved, or closed after a resolution (a resolved-only close reason).
  check((t.resolvedAt !== undefined) === (state.status === 'resolved' || closedAfterResolving), 'resolvedAt is set exactly when resolved');
  check((t.resolution !== undefined) === (t.resolvedAt !== undefined), 'resolution goes with resolvedAt');
  check(!TRIAGED_STATES.includes(state.status) || t.triagedAt !== undefined, `${state.status} without a triage time`);
  check(state.status !== 'opened' || t.triagedAt === undefined, 'opened yet triaged');
  // What was recorded at open stays as it was.
  check(openedEvent?.type === 'TicketOpened' && openedEvent.data.tenant === t.tenant, 'the tenant changed');
  check(t.policy.id === policy.id && t.policy.version === policy.version, 'the pinned policy changed');
  check(t.openedAt === openedEvent?.occurredAt, 'openedAt is not the open event time');
  check(t.lastEventAt === events.at(-1)?.occurredAt, 'lastEventAt is not the last event time');
  check(t.reopenCount === count('TicketReopened'), 'reopenCount does not count the reopens');
  check(t.downgradeCount === count('TicketDowngraded'), 'downgradeCount does not count the downgrades');
  return problems;
}

const RULE_REFUSALS: RejectionCode[] = ['not_authorized', 'severity_not_allowed', 'reopen_window_expired', 'validation_failed'];

/** How one decision departs from the lifecycle table and the event envelope rules, if it does. */
function departures({ before, input, now, decision, after }: Traced): unknown[] {
  const parsed = Command.safeParse(input);
  const tooEarly = before.ticket !== undefined && now.getTime() < Date.parse(before.ticket.lastEventAt);
  const code = decision.ok ? undefined : decision.rejection.code;
  if (!parsed.success || tooEarly) return code === 'validation_failed' ? [] : [{ expected: 'validation_failed', input, decision }];
  const command = parsed.data;
  const step = LIFECYCLE[before.status][command.type];
  if (step === undefined) {
    const expected = { code: 'invalid_transition', state: before.status, command: command.type, allowed: allowedCommands(before.status) };
    const ok = !decision.ok && isDeepStrictEqual({ ...decision.rejection, message: undefined }, { ...expected, message: undefined });
    return ok ? [] : [{ expected, decision }];
  }
  if (!decision.ok) {
    const fits = RULE_REFUSALS.includes(decision.rejection.code) && (code !== 'reopen_window_expired' || before.status === 'closed');
    return fits ? [] : [{ unexpected: decision.rejection, from: before.status }];
  }
  const [event, ...more] = decision.events;
  const expected = {
    type: EVENT_OF[command.type],
    id: eventIdFor(command.ticketId, command.commandId, 0),
    occurredAt: now.toISOString(),
    commandId: command.commandId,
    actor: { id: command.actor.id, role: command.actor.role, tenant: command.actor.tenant },
    status: step.to ?? before.status,
  };
  const actual = event && { type: event.type, id: event.id, occurredAt: event.occurredAt, commandId: event.commandId, actor: event.actor, status: after.status };
  const problems: unknown[] = [];
  if (more.length > 0 || !isDeepStrictEqual(actual, expected)) problems.push({ expected, actual, extra: more });
  // What is stored can be read back.
  if (event && !isDeepStrictEqual(decodeEvent(JSON.parse(JSON.stringify(event))), event)) problems.push({ notRoundTripped: event });
  return problems;
}

/** Enough runs to find a broken rule quickly, few enough to keep the domain suite at seconds. */
const RUNS = { numRuns: 40 };

describe('properties of decide and evolve over random command sequences', () => {
  it('(a) no sequence of commands leads to an invalid state', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const accepted: TicketEvent[] = [];
        const problems = run(scenario).trace.flatMap(({ decision, after }, step) => {
          if (decision.ok) accepted.push(...decision.events);
          return invalidities(after, accepted, scenario.policy).map((problem) => `step ${step}: ${problem}`);
        });
        expect(problems).toEqual([]);
      }),
      RUNS,
    );
  });

  it('(a) every decision follows the lifecycle table, and every accepted command records one well-formed event', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        expect(run(scenario).trace.flatMap(departures)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('(b) folding the events from scratch equals the state held while deciding, and evolve applied one by one', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { events, state, trace } = run(scenario);
        expect(fold(events)).toEqual(state);
        expect(events.reduce(evolve, initialState)).toEqual(state);
        // Any prefix folds to the state held at that point, and folding on from there reaches the end.
        let prefix = 0;
        const mismatches = trace.flatMap(({ decision, after }, step) => {
          if (decision.ok) prefix += decision.events.length;
          const fromScratch = isDeepStrictEqual(fold(events.slice(0, prefix)), after);
          const onwards = isDeepStrictEqual(fold(events.slice(prefix), after), state);
          return fromScratch && onwards ? [] : [{ step, fromScratch, onwards }];
        });
        expect(mismatches).toEqual([]);
        const last = events.at(-1);
        if (last !== undefined) expect(stateAt(events, new Date(last.occurredAt))).toEqual(state);
      }),
      RUNS,
    );
  });

  it('(c) a refused command produces no events and leaves the state as it was', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const problems = run(scenario).trace.flatMap(({ before, beforeCopy, decision, after }, step) => {
          const found: string[] = [];
          // decide never changes what it is given, accepted or not.
          if (!isDeepStrictEqual(before, beforeCopy)) found.push(`step ${step}: decide changed the state it was given`);
          if (decision.ok) return found;
          if ('events' in decision) found.push(`step ${step}: a refusal carries events`);
          if (after !== before) found.push(`step ${step}: a refusal moved the state`);
          if (decision.rejection.message.length === 0) found.push(`step ${step}: a refusal without a message`);
          return found;
        });
        expect(problems).toEqual([]);
      }),
      RUNS,
    );
  });

  it('(d) decide is deterministic: the same inputs give deep-equal decisions', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const differing = run(scenario).trace.filter(({ before, input, now, decision }) => {
          const again = decide(copy(before), copy(input), { now: new Date(now), policy: copy(scenario.policy) });
          return !isDeepStrictEqual(again, decision);
        });
        expect(differing).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });

  it('the generators reach every lifecycle state and every kind of refusal', () => {
    // Without this, the properties above could pass on sequences that never get past `opened`.
    const statuses = new Set<TicketStatus>();
    const codes = new Set<RejectionCode>();
    for (const scenario of fc.sample(scenarioArb, { numRuns: 50, seed: 20250303 })) {
      for (const { decision, after } of run(scenario).trace) {
        statuses.add(after.status);
        if (!decision.ok) codes.add(decision.rejection.code);
      }
    }
    expect([...statuses].sort()).toEqual([...STATUSES].sort());
    expect([...codes].sort()).toEqual(['invalid_transition', 'not_authorized', 'reopen_window_expired', 'severity_not_allowed', 'validation_failed']);
  });
});
