/**
 * SLA clocks, derived from a ticket's events alone, and the next instant an SLA worker must act.
 *
 * A clock measures working time on its target's calendar while the ticket is in a state that
 * does not pause it. What it has used (`elapsedMs`) is kept when the severity or category
 * changes; only the target it is compared with changes, so a new target minus the time already
 * spent is what remains. Every instant reported (due, warning) is the instant at which that
 * elapsed time reaches the target (or the warning fraction of it) under the current target:
 * in the past when it already has, ahead while the clock runs. A clock that is not running
 * (paused, or ended) and has not reached it is projected as if it ran on from `now` (paused)
 * or from the instant it ended.
 */
import type { Category, Severity, Ticket, TicketEvent, TicketState, TicketStatus } from '@caseflow/domain';
import { LIFECYCLE, fold, initialState, lowerSeverity } from '@caseflow/domain';
import type { BusinessCalendar } from './calendar.js';
import type { ClockDefinition, SlaPolicy } from './policy.js';
import type { ResolvedTarget } from './targets.js';
import { isoTarget, periodEnd, targetFor } from './targets.js';

/**
 * - running: counting working time;
 * - paused: not counting, in one of the clock's `pausedIn` states (awaiting the customer);
 * - fulfilled: its fulfilling event came at or before the due instant;
 * - breached: it ran out while not fulfilled, or was fulfilled or stopped after its due instant;
 * - stopped: ended unfulfilled before its due instant (the ticket closed, or was reopened
 *   into a new cycle), e.g. a request cancelled before triage.
 */
export type ClockStatus = 'running' | 'paused' | 'fulfilled' | 'breached' | 'stopped';

export interface SlaClock {
  name: string;
  /** 0 for the ticket's first response cycle, one more per reopen. */
  cycle: number;
  status: ClockStatus;
  startedAt: Date;
  /** Set for a fulfilled clock, also one fulfilled late (status breached). */
  fulfilledAt: Date | null;
  /** Set for a clock that ended unfulfilled. */
  stoppedAt: Date | null;
  /**
   * When the elapsed time reaches (or reached) the target; null for no commitment. Inclusive:
   * fulfilment at dueAt is on time. Projected for a clock not running: as if it resumed now.
   */
  dueAt: Date | null;
  /** When the warning fraction of the target is (or was) reached; null for no commitment. */
  warningAt: Date | null;
  /** Working time counted so far (until now, or until the clock ended). */
  elapsedMs: number;
  /** Target minus elapsed; negative once past due; null for no commitment. */
  remainingMs: number | null;
  targetMs: number | null;
  /** The target as an ISO 8601 duration of working time ("PT15H"); null for no commitment. */
  target: string | null;
  /** The calendar the current target counts on: "24x7", a named calendar, or "region:XX". */
  calendar: string;
}

/** A stretch of time during which a clock counted on one calendar; `to` is undefined while it still counts. */
interface Segment {
  from: number;
  to: number | undefined;
  calendar: BusinessCalendar;
}

/** One clock in one cycle, as the history has built it so far. */
interface ClockRun {
  definition: ClockDefinition;
  cycle: number;
  startedAt: number;
  target: ResolvedTarget;
  /** The ticket facts the target was chosen by; a change re-chooses it. */
  category: Category;
  severity: Severity;
  segments: Segment[];
  end: { at: number; fulfilled: boolean } | undefined;
}

interface Escalation {
  cycle: number;
  clock: string | undefined;
  level: number;
}

/** What one pass over a history finds: the ticket, its clock runs, and what the SLA worker already did. */
interface Trace {
  state: TicketState;
  runs: ClockRun[];
  escalations: Escalation[];
  enteredAwaitingCustomerAt: number | undefined;
}

const openSegment = (run: ClockRun): Segment | undefined => {
  const last = run.segments.at(-1);
  return last !== undefined && last.to === undefined ? last : undefined;
};

function elapsedUntil(run: ClockRun, instant: number): number {
  let total = 0;
  for (const segment of run.segments) {
    const to = Math.min(segment.to ?? instant, instant);
    if (to > segment.from) total += segment.calendar.between(new Date(segment.from), new Date(to));
  }
  return total;
}

/**
 * The instant at which the run's elapsed time reaches `ms`: in a past segment, or ahead in the
 * one still running. Undefined when it has not been reached and the clock is not running.
 */
function instantElapsedReaches(run: ClockRun, ms: number): number | undefined {
  let total = 0;
  for (const segment of run.segments) {
    const from = new Date(segment.from);
    const needed = ms - total;
    if (segment.to === undefined) return segment.calendar.add(from, needed).getTime();
    const length = segment.calendar.between(from, new Date(segment.to));
    if (length >= needed) return segment.calendar.add(from, needed).getTime();
    total += length;
  }
  return undefined;
}

const warningMs = (targetMs: number, policy: SlaPolicy) => Math.ceil(targetMs * policy.warningThreshold);

// Called per clock per event of every trace: no closure, unlike `some`.
const pausesIn = (definition: ClockDefinition, status: TicketStatus) => (definition.pausedIn as readonly TicketStatus[]).includes(status);

function requireTicket(state: TicketState) {
  if (state.ticket === undefined) throw new Error('a ticket event left the ticket unopened');
  return state.ticket;
}

/** A new severity or category: the time so far stays counted on the old calendar, what follows on the new target's. */
function retarget(run: ClockRun, at: number, { category, severity }: Ticket, target: ResolvedTarget): void {
  const running = openSegment(run);
  if (running !== undefined) running.to = at;
  run.target = target;
  run.category = category;
  run.severity = severity;
}

/** Pauses a running clock, or resumes a paused one, as the ticket's state now requires. */
function pauseOrResume(run: ClockRun, at: number, paused: boolean): void {
  const running = openSegment(run);
  if (paused && running !== undefined) running.to = at;
  if (!paused && running === undefined) run.segments.push({ from: at, to: undefined, calendar: run.target.calendar.calendar });
}

function endRun(run: ClockRun, at: number, fulfilled: boolean): void {
  const running = openSegment(run);
  if (running !== undefined) running.to = at;
  run.end = { at, fulfilled };
}

/** Trace keeps no state but the last, so each event changes its own copy of the ticket. */
const IN_PLACE = { inPlace: true };

/** One pass over the events that occurred by `until`, in stream order. */
function trace(history: readonly TicketEvent[], policy: SlaPolicy, until: number): Trace {
  let state: TicketState = initialState;
  const runs: ClockRun[] = [];
  const escalations: Escalation[] = [];
  let enteredAwaitingCustomerAt: number | undefined;

  for (const event of history) {
    const at = Date.parse(event.occurredAt);
    if (at > until) continue;
    state = fold([event], state, IN_PLACE);
    const ticket = requireTicket(state);
    const cycle = ticket.reopenCount;

    // Ends first, judged by the target in force before this event: a triage that fulfils the
    // first response and also sets a new severity is on time or late by the old severity.
    for (const run of runs) {
      if (run.end !== undefined) continue;
      if (run.cycle < cycle) endRun(run, at, false);
      else if (run.definition.fulfilledBy.includes(event.type)) endRun(run, at, true);
      else if (run.definition.stoppedBy.includes(event.type)) endRun(run, at, false);
    }

    for (const run of runs) {
      if (run.end !== undefined) continue;
      if (run.category !== ticket.category || run.severity !== ticket.severity) retarget(run, at, ticket, targetFor(policy, run.definition, ticket));
      pauseOrResume(run, at, pausesIn(run.definition, state.status));
    }

    for (const definition of policy.clocks) {
      if (!definition.startedBy.includes(event.type)) continue;
      // At most once per cycle: a later start event in the same cycle does not restart it.
      if (runs.some((run) => run.definition === definition && run.cycle === cycle)) continue;
      const { category, severity } = ticket;
      const run: ClockRun = { definition, cycle, startedAt: at, target: targetFor(policy, definition, ticket), category, severity, segments: [], end: undefined };
      pauseOrResume(run, at, pausesIn(definition, state.status));
      runs.push(run);
    }

    if (event.type === 'TicketEscalated') escalations.push({ cycle, clock: event.data.clock, level: event.data.level });
    if (event.type === 'InfoRequested') enteredAwaitingCustomerAt = at;
  }
  return { state, runs, escalations, enteredAwaitingCustomerAt };
}

function clockAt(run: ClockRun, now: number, policy: SlaPolicy): SlaClock {
  const measuredUntil = run.end?.at ?? now;
  const elapsedMs = elapsedUntil(run, measuredUntil);
  const targetMs = run.target.ms;
  const { calendar } = run.target.calendar;
  const instantOf = (ms: number) =>
    new Date(instantElapsedReaches(run, ms) ?? calendar.add(new Date(measuredUntil), ms - elapsedMs).getTime());

  const dueAt = targetMs === null ? null : instantOf(targetMs);
  let status: ClockStatus;
  if (run.end === undefined) {
    status = targetMs !== null && elapsedMs >= targetMs ? 'breached' : openSegment(run) === undefined ? 'paused' : 'running';
  } else {
    // Compared by instant, not by working time: an end after the due instant while the calendar
    // is closed has used no more than the target, yet came late (the worker escalated at dueAt).
    status = dueAt !== null && run.end.at > dueAt.getTime() ? 'breached' : run.end.fulfilled ? 'fulfilled' : 'stopped';
  }
  return {
    name: run.definition.name,
    cycle: run.cycle,
    status,
    startedAt: new Date(run.startedAt),
    fulfilledAt: run.end?.fulfilled === true ? new Date(run.end.at) : null,
    stoppedAt: run.end?.fulfilled === false ? new Date(run.end.at) : null,
    dueAt,
    warningAt: targetMs === null ? null : instantOf(warningMs(targetMs, policy)),
    elapsedMs,
    remainingMs: targetMs === null ? null : targetMs - elapsedMs,
    targetMs,
    target: targetMs === null ? null : isoTarget(targetMs),
    calendar: run.target.calendar.name,
  };
}

/**
 * Every SLA clock of a ticket as of `now`: one per clock of the policy and response cycle that
 * has started, in the order they started. Events after `now` are ignored, so this is also the
 * ticket's clocks as they were at any past instant. Pure: the same arguments, the same clocks.
 */
export function clocks(history: readonly TicketEvent[], policy: SlaPolicy, now: Date): SlaClock[] {
  const instant = now.getTime();
  return trace(history, policy, instant).runs.map((run) => clockAt(run, instant, policy));
}

export type NextTimer =
  /** Escalate the clock: level 1 at the warning, level 2 at the breach. */
  | { at: Date; reason: 'warning' | 'breach'; clock: string; cycle: number }
  /** Downgrade the ticket (the customer did not respond in time), or close it (quiet since resolved). */
  | { at: Date; reason: 'collaboration-window' | 'auto-close'; cycle: number };

/**
 * The next instant an SLA worker must look at the ticket again, and why; undefined when nothing
 * is pending. An instant in the past means "now" (a timer the worker has not acted on yet).
 *
 * - warning and breach of each running clock with a commitment, unless an escalation of that
 *   level or higher is recorded for it in this cycle (an escalation naming no clock counts for
 *   every clock), and only while the ticket accepts escalations;
 * - the collaboration window, from when the ticket last entered awaitingCustomer, while it is
 *   still there and its severity can still be lowered;
 * - the auto-close quiet period, from the resolve, while the ticket is resolved.
 * A paused clock gets no timer until it runs again, except for what it reached before it paused.
 */
export function nextTimerAt(history: readonly TicketEvent[], policy: SlaPolicy): NextTimer | undefined {
  const { state, runs, escalations, enteredAwaitingCustomerAt } = trace(history, policy, Number.POSITIVE_INFINITY);
  const ticket = state.ticket;
  if (ticket === undefined) return undefined;
  const cycle = ticket.reopenCount;
  const timers: NextTimer[] = [];

  if (LIFECYCLE[state.status].escalate !== undefined) {
    for (const run of runs) {
      const targetMs = run.target.ms;
      if (run.end !== undefined || targetMs === null) continue;
      const clock = run.definition.name;
      // Done once this clock (or an escalation naming no clock) reached the level in this cycle;
      // the domain keeps the same per-clock levels, so it never refuses a timer given here.
      const escalationDue = (level: number) =>
        !escalations.some((e) => e.cycle === run.cycle && (e.clock === undefined || e.clock === clock) && e.level >= level);
      const warningAt = instantElapsedReaches(run, warningMs(targetMs, policy));
      if (warningAt !== undefined && escalationDue(1)) timers.push({ at: new Date(warningAt), reason: 'warning', clock, cycle: run.cycle });
      const breachAt = instantElapsedReaches(run, targetMs);
      if (breachAt !== undefined && escalationDue(2)) timers.push({ at: new Date(breachAt), reason: 'breach', clock, cycle: run.cycle });
    }
  }
  if (state.status === 'awaitingCustomer' && lowerSeverity(ticket.severity) !== undefined && enteredAwaitingCustomerAt !== undefined) {
    const at = periodEnd(policy, policy.collaborationWindow, new Date(enteredAwaitingCustomerAt), ticket.region);
    timers.push({ at, reason: 'collaboration-window', cycle });
  }
  if (state.status === 'resolved' && ticket.resolvedAt !== undefined) {
    timers.push({ at: periodEnd(policy, policy.autoClose, new Date(ticket.resolvedAt), ticket.region), reason: 'auto-close', cycle });
  }
  // The earliest; on a tie, the first listed (clocks in policy order, warning before breach).
  return timers.reduce<NextTimer | undefined>((earliest, timer) => (earliest === undefined || timer.at < earliest.at ? timer : earliest), undefined);
}
