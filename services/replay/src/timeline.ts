/**
 * A ticket's timeline for analysts: every event with the ticket's state, severity and SLA clocks
 * right after it, optionally cut at an instant ("as of"), and its rendering as a table or JSON.
 */
import type { LifecycleState, Plan, Severity, Ticket, TicketEvent, TicketEventType } from '@caseflow/domain';
import type { TicketView } from '@caseflow/engine';
import { readHistory } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';
import type { ClockStatus, SlaClock, SlaPolicy } from '@caseflow/sla';
import { clocks, policyFor, policyLabel } from '@caseflow/sla';

/** One SLA clock as the timeline shows it. */
export interface ReplayClock {
  name: string;
  /** 0 for the ticket's first response cycle, one more per reopen. */
  cycle: number;
  status: ClockStatus;
  /** ISO instant; null for no commitment. */
  dueAt: string | null;
  /**
   * Working time left on the clock's calendar ("45m", "25h 30m"), negative once past due
   * ("-20m"); null for no commitment.
   */
  remaining: string | null;
  remainingMs: number | null;
}

export interface ReplayStep {
  revision: number;
  occurredAt: string;
  type: TicketEventType;
  /** `role:id@tenant`. */
  actor: string;
  /** What the event did, in a few words. */
  summary: string;
  /** The lifecycle state right after the event. */
  state: LifecycleState;
  /** The severity right after the event. */
  severity: Severity;
  /** The SLA clocks at the instant of the event, the event included. */
  clocks: ReplayClock[];
}

/** The ticket as it stood at the `at` instant of a replay. */
export interface TicketAsOf {
  at: string;
  revision: number;
  state: LifecycleState;
  severity: Severity;
  owner: string | null;
  escalationLevel: number;
  clocks: ReplayClock[];
}

export interface TicketTimeline {
  kind: 'timeline';
  ticket: {
    id: string;
    title: string;
    tenant: string;
    plan: Plan;
    region: string;
    /** The policy pinned on the ticket when it opened, as `id@version`. */
    policy: string;
    /** The policy the clocks are computed under: the pinned one, or the first given when it is not among them. */
    clocksPolicy: string;
  };
  steps: ReplayStep[];
  /** With `at`: the ticket at that instant; null for a whole history. */
  asOf: TicketAsOf | null;
}

/** The ticket exists, but was opened after the instant asked about. */
export interface TicketNotYetOpened {
  kind: 'not-yet-opened';
  ticketId: string;
  at: string;
  openedAt: string;
}

export type TicketReplay = TicketTimeline | TicketNotYetOpened;

export interface ReplayOptions {
  /** Replay only what had happened by this instant (inclusive), and report the ticket as of then. */
  at?: Date;
  /** Known SLA policies; the first stands in for a pinned policy that is not among them. */
  policies: readonly SlaPolicy[];
}

const MAX_TEXT = 60;

/** Free text on one line, cut to about MAX_TEXT characters (whole code points). */
function excerpt(text: string): string {
  const characters = Array.from(text.replace(/\s+/g, ' ').trim());
  return characters.length <= MAX_TEXT ? characters.join('') : `${characters.slice(0, MAX_TEXT - 1).join('')}…`;
}

const withText = (what: string, text: string | undefined) => (text === undefined ? what : `${what}: ${excerpt(text)}`);

const listed = (label: string, value: string | undefined) => (value === undefined ? '' : `, ${label} ${value}`);

function summarize(event: TicketEvent, before: Ticket | undefined): string {
  switch (event.type) {
    case 'TicketOpened': {
      const { severity, category, title, followUpOf } = event.data;
      return `opened as ${severity} ${category}: ${excerpt(title)}${listed('follows up', followUpOf)}`;
    }
    case 'TicketTriaged': {
      const { severity, category, owner, queue } = event.data;
      const recategorized = before !== undefined && before.category !== category ? `, category ${category}` : '';
      return `triaged as ${severity}${recategorized}${listed('owner', owner)}${listed('queue', queue)}`;
    }
    case 'InfoRequested':
      return withText('info requested', event.data.text);
    case 'CustomerReplied':
      return withText('customer replied', event.data.text);
    case 'TicketDowngraded':
      return withText(`downgraded ${event.data.from} → ${event.data.to}`, event.data.reason);
    case 'TicketResolved':
      return withText('resolved', event.data.summary);
    case 'TicketClosed':
      return withText(`closed (${event.data.reason})`, event.data.text);
    case 'TicketReopened':
      return withText('reopened', event.data.text);
    case 'NoteAdded':
      return withText(event.data.visibility === 'internal' ? 'internal note' : 'note', event.data.text);
    case 'TicketAssigned':
      return `assigned to ${event.data.owner}${listed('queue', event.data.queue)}`;
    case 'TicketEscalated': {
      const { level, clock, reason } = event.data;
      return withText(`escalated to level ${level}${clock === undefined ? '' : ` (${clock})`}`, reason);
    }
    case 'SeverityChanged':
      return withText(`severity ${event.data.from} → ${event.data.to}`, event.data.reason);
  }
}

/** As the table shows an instant: without the milliseconds when there are none (2026-03-02T10:00:00Z). */
const shortInstant = (iso: string) => new Date(iso).toISOString().replace('.000Z', 'Z');

const DURATION_UNITS = [
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
] as const;

/**
 * "25h 30m", "-20m", "0s": whole seconds, in hours at most, because the time is working time on
 * the clock's calendar, where a day of 24 hours means nothing.
 */
function humanDuration(ms: number): string {
  let seconds = Math.floor(Math.abs(ms) / 1_000);
  const parts: string[] = [];
  for (const [unit, size] of DURATION_UNITS) {
    const count = Math.floor(seconds / size);
    seconds -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
  }
  if (parts.length === 0) return '0s';
  return `${ms < 0 ? '-' : ''}${parts.join(' ')}`;
}

function replayClock(clock: SlaClock): ReplayClock {
  return {
    name: clock.name,
    cycle: clock.cycle,
    status: clock.status,
    dueAt: clock.dueAt?.toISOString() ?? null,
    remaining: clock.remainingMs === null ? null : humanDuration(clock.remainingMs),
    remainingMs: clock.remainingMs,
  };
}

const formatActor = (actor: TicketEvent['actor']) => `${actor.role}:${actor.id}@${actor.tenant}`;

/** The ticket's state after an event; never 'none' once the stream has begun with TicketOpened. */
function lifecycleState(view: TicketView): LifecycleState {
  if (view.state === 'none') throw new Error(`ticket ${view.id} has no lifecycle state after its TicketOpened`);
  return view.state;
}

/**
 * A ticket's timeline from its stream: each event with the ticket's state, severity and clocks
 * right after it. With `at`, only the events that had occurred by then, and the ticket as of
 * then; `not-yet-opened` when it was opened later. Undefined when there is no such ticket.
 */
export async function replayTicket(store: EventStore, ticketId: string, options: ReplayOptions): Promise<TicketReplay | undefined> {
  const { at, policies } = options;
  if (at !== undefined && Number.isNaN(at.getTime())) throw new RangeError('replayTicket needs a valid instant for at');
  const fallbackPolicy = policies[0];
  if (fallbackPolicy === undefined) throw new RangeError('replayTicket needs at least one SLA policy');

  const history = await readHistory(store, ticketId);
  const first = history[0];
  if (first === undefined) return undefined;
  const opened = first.event;
  if (opened.type !== 'TicketOpened') throw new Error(`the stream of ticket ${ticketId} does not begin with TicketOpened`);
  // Events are stored in the order they occurred, so what had happened by `at` is a prefix.
  const happened = at === undefined ? history : history.filter(({ event }) => Date.parse(event.occurredAt) <= at.getTime());
  if (at !== undefined && happened.length === 0) return { kind: 'not-yet-opened', ticketId, at: at.toISOString(), openedAt: opened.occurredAt };

  const policy = policyFor(opened.data.policy, policies) ?? fallbackPolicy;
  const soFar: TicketEvent[] = [];
  const steps = happened.map(({ revision, event, stateAfter }, index): ReplayStep => {
    soFar.push(event);
    return {
      revision: Number(revision),
      occurredAt: event.occurredAt,
      type: event.type,
      actor: formatActor(event.actor),
      summary: summarize(event, happened[index - 1]?.stateAfter),
      state: lifecycleState(stateAfter),
      severity: stateAfter.severity,
      clocks: clocks(soFar, policy, new Date(event.occurredAt)).map(replayClock),
    };
  });

  const last = happened.at(-1) ?? first;
  const ticket = last.stateAfter;
  return {
    kind: 'timeline',
    ticket: {
      id: ticket.id,
      title: ticket.title,
      tenant: ticket.tenant,
      plan: ticket.plan,
      region: ticket.region,
      policy: policyLabel(ticket.policy),
      clocksPolicy: policyLabel(policy),
    },
    steps,
    asOf:
      at === undefined
        ? null
        : {
            at: at.toISOString(),
            revision: Number(last.revision),
            state: lifecycleState(ticket),
            severity: ticket.severity,
            owner: ticket.owner ?? null,
            escalationLevel: ticket.escalationLevel,
            clocks: clocks(soFar, policy, at).map(replayClock),
          },
  };
}

function timeLeft(remainingMs: number): string {
  return remainingMs < 0 ? `${humanDuration(-remainingMs)} late` : `${humanDuration(remainingMs)} left`;
}

function describeClock(clock: ReplayClock): string {
  const name = clock.cycle === 0 ? clock.name : `${clock.name} (cycle ${clock.cycle})`;
  switch (clock.status) {
    case 'fulfilled':
    case 'stopped':
      return `${name} ${clock.status}`;
    case 'paused':
      return clock.remainingMs === null ? `${name} paused, no commitment` : `${name} paused (${timeLeft(clock.remainingMs)})`;
    case 'running':
    case 'breached':
      return clock.dueAt === null || clock.remainingMs === null
        ? `${name} ${clock.status}, no commitment`
        : `${name} ${clock.status}, due ${shortInstant(clock.dueAt)} (${timeLeft(clock.remainingMs)})`;
  }
}

const describeClocks = (running: readonly ReplayClock[]) => (running.length === 0 ? '—' : running.map(describeClock).join('; '));

/** Rows as columns padded to their widest cell; the last column is not padded. */
function aligned(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function timelineTable(timeline: TicketTimeline): string {
  const { ticket, steps, asOf } = timeline;
  const policy = ticket.policy === ticket.clocksPolicy ? ticket.policy : `${ticket.policy} (not known here: clocks under ${ticket.clocksPolicy})`;
  const lines = [
    `ticket ${ticket.id}  ${excerpt(ticket.title)}`,
    `tenant ${ticket.tenant}   plan ${ticket.plan}   region ${ticket.region}   policy ${policy}`,
    '',
    ...aligned([
      ['occurred at', 'actor', 'event', 'state', 'severity', 'clocks'],
      ...steps.map((step) => [shortInstant(step.occurredAt), step.actor, step.summary, step.state, step.severity, describeClocks(step.clocks)]),
    ]),
  ];
  if (asOf !== null) {
    lines.push(
      '',
      `as of ${shortInstant(asOf.at)} (revision ${asOf.revision}): ${asOf.state}, severity ${asOf.severity}, owner ${asOf.owner ?? '—'}, escalation level ${asOf.escalationLevel}`,
      `clocks: ${describeClocks(asOf.clocks)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The replay as an aligned table or as JSON (2-space indent); the same replay always renders the same text. */
export function renderTimeline(replay: TicketReplay, format: 'table' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(replay, null, 2)}\n`;
  if (replay.kind === 'not-yet-opened') return `ticket ${replay.ticketId} did not exist yet at ${shortInstant(replay.at)} (it was opened at ${shortInstant(replay.openedAt)})\n`;
  return timelineTable(replay);
}
