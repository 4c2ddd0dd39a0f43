/**
 * Model-based tests: @xstate/graph explores `ticketMachine` with sample commands for every state
 * it reaches, and every path and every explored transition is replayed through `decide` +
 * `evolve`, which must agree with the machine step by step.
 */
import { describe, expect, it } from '@jest/globals';
import type { AdjacencyValue } from '@xstate/graph';
import { getAdjacencyMap, getShortestPaths } from '@xstate/graph';
import { isDeepStrictEqual } from 'node:util';
import type { ActorLogic, SnapshotFrom } from 'xstate';
import type { CommandEvent, CommandInput, Decision, FactEvent, RejectionCode, TicketState, TicketStatus } from '@caseflow/domain';
import { Command, LIFECYCLE, LIFECYCLE_STATES, decide, defaultDecisionPolicy, evolve, initialState, ticketMachine } from '@caseflow/domain';
import {
  DAY,
  HOUR,
  T0,
  actors,
  assign,
  at,
  changeSeverity,
  close,
  customerReply,
  downgrade,
  escalate,
  note,
  open,
  reopen,
  requestInfo,
  resolve,
  triage,
} from './gwt.js';

type Snapshot = SnapshotFrom<typeof ticketMachine>;
const POLICY = defaultDecisionPolicy;
/** Escalation levels beyond this are not explored: they behave like the ones below. */
const MAX_LEVEL = 1;

/**
 * Sample commands for a snapshot: for each command its state accepts, valid variants (and some
 * its rules refuse, so that the guards are explored too). Time advances an hour per step,
 * except where the reopen window is the point.
 */
function sampleEvents(snapshot: Snapshot): CommandEvent[] {
  const status = snapshot.value as TicketStatus;
  const ticket = snapshot.context.ticket;
  const now = ticket === undefined ? T0 : at(ticket.lastEventAt, HOUR);
  const event = (variant: string, input: CommandInput, when: Date = now): CommandEvent => {
    // The machine receives commands as `decide` hands them over: parsed, with defaults filled in.
    const command = Command.parse({ ...input, commandId: `${status}:${variant}` });
    return { type: command.type, command, now: when.toISOString(), policy: POLICY };
  };
  const samples: CommandEvent[] = [];
  for (const type of Object.keys(LIFECYCLE[status])) {
    switch (type) {
      case 'open':
        samples.push(
          event('open-technical-A', open({ severity: 'A' })),
          event('open-billing-B', open({ category: 'billing', actor: actors.delegatedPartner })),
          event('open-technical-C', open({ severity: 'C', actor: actors.agent })),
          event('open-billing-A', open({ category: 'billing', severity: 'A' })),
          event('open-21vianet-A', open({ severity: 'A', plan: '21vianet' })),
          event('open-by-user', open({ actor: actors.customerUser })),
        );
        break;
      case 'triage':
        samples.push(
          event('triage', triage()),
          event('triage-A', triage({ severity: 'A' })),
          event('triage-C', triage({ severity: 'C' })),
          event('triage-billing', triage({ category: 'billing', severity: 'B' })),
          event('triage-by-customer', triage({ actor: actors.customerAdmin })),
        );
        break;
      case 'request-info':
        samples.push(event('request-info', requestInfo()), event('request-info-by-customer', requestInfo({ actor: actors.customerAdmin })));
        break;
      case 'customer-reply':
        samples.push(event('reply', customerReply()), event('reply-by-stranger', customerReply({ actor: actors.otherTenantAdmin })));
        break;
      case 'downgrade':
        samples.push(event('downgrade', downgrade()));
        break;
      case 'resolve':
        samples.push(event('resolve', resolve()));
        break;
      case 'close':
        if (status === 'resolved') {
          samples.push(event('close', close({ actor: actors.service })), event('close-cancelled', close({ reason: 'cancelled' })));
        } else {
          samples.push(event('close-cancelled', close({ reason: 'cancelled' })), event('close-no-reason', close()));
        }
        break;
      case 'reopen':
        samples.push(event('reopen', reopen()));
        if (ticket?.closedAt !== undefined) {
          const windowEnd = at(ticket.closedAt, 14 * DAY);
          samples.push(event('reopen-at-window-end', reopen(), windowEnd), event('reopen-too-late', reopen(), at(windowEnd, 1)));
        }
        break;
      case 'note':
        samples.push(event('note', note()));
        break;
      case 'assign':
        samples.push(event('assign', assign()));
        break;
      case 'escalate': {
        const level = ticket?.escalationLevel ?? 0;
        if (level < MAX_LEVEL) samples.push(event('escalate', escalate({ level: level + 1 })));
        if (level > 0) samples.push(event('escalate-same-level', escalate({ level })));
        break;
      }
      case 'change-severity':
        for (const severity of ['A', 'B', 'C'] as const) samples.push(event(`severity-${severity}`, changeSeverity({ severity })));
        break;
      default:
        throw new Error(`no sample for ${type}: add one`);
    }
  }
  return samples;
}

/**
 * States that differ only in what no rule reads (times, owner, text) are the same state for
 * exploration: the lifecycle state plus what the guards look at.
 */
function serializeState(snapshot: Snapshot): string {
  const t = snapshot.context.ticket;
  return JSON.stringify([snapshot.value, t?.plan, t?.advancedAgreement, t?.category, t?.severity, t?.escalationLevel]);
}

const options = { events: sampleEvents, serializeState };

/** A command event through the decider, and the state its events evolve into. */
function decideStep(state: TicketState, event: CommandEvent): { decision: Decision; after: TicketState } {
  const decision = decide(state, event.command, { now: new Date(event.now), policy: event.policy });
  return { decision, after: decision.ok ? decision.events.reduce(evolve, state) : state };
}

/** The part of a machine snapshot the decider's state stands for. */
const asState = (snapshot: Snapshot): TicketState => ({ status: snapshot.value as TicketStatus, ticket: snapshot.context.ticket });

/** The traversals, run once and inside a test, so that an exception fails that test visibly. */
const explore = once(() => ({
  paths: getShortestPaths(ticketMachine, options),
  // getAdjacencyMap's signature has no parameter for the events a machine emits, so this machine
  // (which emits its ticket events) only fits it as logic that emits plain event objects.
  adjacency: getAdjacencyMap(ticketMachine as unknown as ActorLogic<Snapshot, CommandEvent | FactEvent>, options),
}));

/**
 * Replays every shortest path through decide + evolve. Returns, for each explored state, the
 * decider's state at the end of its path, and every step where the two disagreed.
 */
const replayPaths = once(() => {
  const reached = new Map<string, TicketState>();
  const disagreements: unknown[] = [];
  for (const path of explore().paths) {
    let state = initialState;
    // The first step of a path is the machine's initialisation, not a command. The snapshots of
    // the steps may be any snapshot with the same serialized state, so only their state value is
    // compared here; the next test compares whole tickets.
    path.steps.slice(1).forEach((step, index) => {
      const event = step.event as CommandEvent;
      const { decision, after } = decideStep(state, event);
      if (!decision.ok || after.status !== step.state.value) {
        disagreements.push({ path: serializeState(path.state), index, command: event.command, decision, machine: step.state.value });
      }
      state = after;
    });
    if (state.status !== path.state.value) disagreements.push({ path: serializeState(path.state), end: state.status });
    reached.set(serializeState(path.state), state);
  }
  return { reached, disagreements };
});

/**
 * Takes every explored transition from the decider's replayed state, comparing the outcome with
 * the machine's: the same acceptance, status and ticket data.
 */
const replayTransitions = once(() => {
  const { reached } = replayPaths();
  const taken = new Set<string>();
  const refusals = new Set<RejectionCode>();
  const disagreements: unknown[] = [];
  let count = 0;
  // The map is keyed by branded strings, which Object.entries cannot see through.
  const explorations = Object.entries(explore().adjacency) as [string, AdjacencyValue<Snapshot, CommandEvent | FactEvent>][];
  for (const [key, { state: explored, transitions }] of explorations) {
    const from = reached.get(key);
    // The samples of this state were made for the explored snapshot; the replay must stand where it stood.
    if (from === undefined || !isDeepStrictEqual(from, asState(explored))) {
      disagreements.push({ key, replayed: from, explored: asState(explored) });
      continue;
    }
    for (const { event, state: target } of Object.values(transitions) as { event: CommandEvent | FactEvent; state: Snapshot }[]) {
      const commandEvent = event as CommandEvent;
      const { decision, after } = decideStep(from, commandEvent);
      // Mismatches are collected rather than expected one by one: hundreds of comparisons run here.
      const machineAccepted = target !== explored && !isDeepStrictEqual(asState(target), asState(explored));
      if (decision.ok !== machineAccepted || !isDeepStrictEqual(after, asState(target))) {
        disagreements.push({ key, command: commandEvent.command, now: commandEvent.now, decision, decider: after, machine: asState(target) });
      }
      if (decision.ok) taken.add(`${from.status} ${commandEvent.type}`);
      else refusals.add(decision.rejection.code);
      count++;
    }
  }
  return { taken, refusals, disagreements, count };
});

function once<T>(compute: () => T): () => T {
  let result: { value: T } | undefined;
  return () => (result ??= { value: compute() }).value;
}

describe('ticketMachine, explored by @xstate/graph', () => {
  it('explores a graph small enough to keep the suite fast', () => {
    const { paths, adjacency } = explore();
    // Both traversals explore the same states.
    expect(paths.length).toBe(Object.keys(adjacency).length);
    expect(paths.length).toBeLessThan(200);
  });

  it('reaches every lifecycle state', () => {
    const reached = new Set(explore().paths.map((p) => p.state.value));
    expect([...reached].sort()).toEqual(['none', ...LIFECYCLE_STATES].sort());
  });

  it('every shortest path, replayed through decide + evolve, is in the machine’s state at every step', () => {
    const { reached, disagreements } = replayPaths();
    expect(disagreements).toEqual([]);
    expect(reached.size).toBe(explore().paths.length);
  });

  it('every explored transition, taken from its replayed state, agrees with decide + evolve', () => {
    const { disagreements, count } = replayTransitions();
    expect(disagreements).toEqual([]);
    // More transitions than states: the self-loops (notes, refusals) were compared too.
    expect(count).toBeGreaterThan(2 * explore().paths.length);
  });

  it('takes every transition of the lifecycle table (state x command) at least once', () => {
    const table = (['none', ...LIFECYCLE_STATES] as const).flatMap((state) => Object.keys(LIFECYCLE[state]).map((command) => `${state} ${command}`));
    expect([...replayTransitions().taken].sort()).toEqual(table.sort());
  });

  it('exercises the refusing guards as well', () => {
    // invalid_transition is not among them: the samples only offer commands a state accepts.
    expect([...replayTransitions().refusals].sort()).toEqual(['not_authorized', 'reopen_window_expired', 'severity_not_allowed', 'validation_failed']);
  });
});
