/**
 * One generated ticket's life. People's next steps are planned ahead (an agenda of commands at
 * instants drawn from the ticket's own random source); the SLA worker acts whenever one of the
 * ticket's timers falls due first, exactly as the real worker would. Every command, people's and
 * the worker's, goes through the domain's `decide`, so the history is one the system could have
 * recorded; a refusal is a bug in the generator, and throws.
 */
import type { Actor, Category, CommandInput, DecisionPolicy, Severity, TicketEvent, TicketState, TicketStatus } from '@caseflow/domain';
import { SEVERITY_ORDER, decide, fold, initialState, severityRefusal, ticketIdFor } from '@caseflow/domain';
import type { NextTimer, SlaPolicy } from '@caseflow/sla';
import { nextTimerAt } from '@caseflow/sla';
import { actionFor } from '@caseflow/sla-timer';
import type { CustomerAdmin, Staff, Tenant } from './population.js';
import {
  AGENT_NOTES,
  CUSTOMER_NOTES,
  CUSTOMER_REPLIES,
  DESCRIPTIONS,
  INFO_REQUESTS,
  REOPEN_TEXTS,
  RESOLUTIONS,
  TITLES,
} from './population.js';
import { Random } from './random.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Salt of each ticket's random source (followed by the ticket's number). */
const TICKET_SALT = 2;

/** What a generation run shares: the seed, the policy and the people. */
export interface World {
  seed: number;
  policy: SlaPolicy;
  decisionPolicy: DecisionPolicy;
  reopenWindowMs: number;
  staff: Record<Tenant['desk'], Staff>;
}

type WithoutIds<C> = C extends unknown ? Omit<C, 'commandId' | 'ticketId'> : never;
/** A command as planned: its ids are given when it is sent. */
type Action = WithoutIds<CommandInput>;

interface Planned {
  at: number;
  action: Action;
}

/** The work a response cycle holds once triaged, done one step at a time. */
interface CycleWork {
  infoRounds: number;
  notes: number;
  handover: boolean;
  upgrade: boolean;
  outOfScope: boolean;
}

/** How long triage takes, by severity, before the plan's pace is applied. */
const TRIAGE_MEDIAN: Record<Severity, number> = { A: 20 * MINUTE, B: 3 * HOUR, C: 8 * HOUR };
/** Elevated support answers fastest; the plans without commitments for B and C slowest. */
const TRIAGE_PACE: Record<Tenant['plan'], number> = { elevated: 0.35, enterprise: 1, frontline: 1.2, business: 1.4, '21vianet': 1 };
const RESOLVE_MEDIAN: Record<Severity, number> = { A: 4 * HOUR, B: DAY, C: 2 * DAY };
const MAX_REOPENS = 2;
/** The share of requests whose customer comes back after the reopen window with a new one. */
const FOLLOW_UP_SHARE = 0.05;
const FOLLOW_UP_TITLE = 'Follow-up: ';

const CATEGORY_MIX: readonly (readonly [Category, number])[] = [
  ['technical', 80],
  ['billing', 13],
  ['presales', 7],
];
const SEVERITY_MIX: Record<Category, readonly (readonly [Severity, number])[]> = {
  technical: [
    ['A', 8],
    ['B', 42],
    ['C', 50],
  ],
  billing: [
    ['B', 30],
    ['C', 70],
  ],
  presales: [
    ['B', 20],
    ['C', 80],
  ],
};

/** Seconds are the finest grain people act at; never earlier than `now`. */
const after = (now: number, delay: number) => Math.ceil((now + Math.max(0, delay)) / 1000) * 1000;

interface Opening {
  opener: Actor;
  customer: CustomerAdmin;
  category: Category;
  severity: Severity;
  title: string;
  description: string;
  relatedTicketId?: string;
}

export class TicketRun {
  readonly id: string;
  private readonly random: Random;
  private readonly staff: Staff;
  private readonly openCommandId: string;
  private state: TicketState = initialState;
  private readonly history: TicketEvent[] = [];
  private lastEventAt = Number.NEGATIVE_INFINITY;
  private timer: NextTimer | undefined;
  private agenda: Planned[];
  private work: CycleWork | undefined;
  private commandsSent = 0;
  private readonly customer: CustomerAdmin;
  /** As the customer chose it: triage may have changed the ticket's. */
  private readonly category: Category;
  /** When this ticket's next event occurs; undefined once its story is over. */
  nextAt: number | undefined;
  /**
   * Whether the customer will come back with a new request once this one is closed for good and
   * its reopen window has passed. Drawn at the start, so that the scheduler can keep a ticket
   * number for the follow-up (see `reserveFollowUp`).
   */
  readonly comesBack: boolean;
  private followUpIndex: number | undefined;

  private constructor(
    private readonly world: World,
    /** The ticket's number in the run: its random source, its command ids and the order of ties. */
    readonly index: number,
    private readonly tenant: Tenant,
    openAt: number,
    opening: (random: Random) => Opening,
  ) {
    this.random = new Random(world.seed, TICKET_SALT, index);
    this.staff = world.staff[tenant.desk];
    this.openCommandId = `gen-${world.seed}-${index}`;
    this.id = ticketIdFor(this.openCommandId);
    const { opener, customer, category, severity, title, description, relatedTicketId } = opening(this.random);
    this.customer = customer;
    this.category = category;
    const open: Action = {
      type: 'open',
      actor: opener,
      tenant: tenant.id,
      plan: tenant.plan,
      region: tenant.region,
      advancedAgreement: tenant.advancedAgreement,
      category,
      severity,
      title,
      description,
      contact: customer.contact,
      language: tenant.language,
      ...(relatedTicketId === undefined ? {} : { relatedTicketId }),
    };
    this.agenda = [{ at: openAt, action: open }];
    this.nextAt = openAt;
    this.comesBack = this.random.chance(FOLLOW_UP_SHARE);
  }

  /** The follow-up request will be ticket number `index`. */
  reserveFollowUp(index: number): void {
    this.followUpIndex = index;
  }

  /** A new request from `tenant`, opened at `openAt`. */
  static fresh(world: World, index: number, tenant: Tenant, openAt: number): TicketRun {
    return new TicketRun(world, index, tenant, openAt, (random) => {
      const category = random.weighted(CATEGORY_MIX);
      const customer = tenant.partner !== undefined && random.chance(0.3) ? tenant.partner : random.pick(tenant.admins);
      // Now and then an agent opens the request on the customer's behalf (from a phone call).
      const opener = random.chance(0.03) ? random.pick(world.staff[tenant.desk].agents) : customer.actor;
      return {
        opener,
        customer,
        category,
        severity: pickSeverity(random, world.decisionPolicy, tenant, category),
        title: random.pick(TITLES[category]),
        description: random.pick(DESCRIPTIONS),
      };
    });
  }

  /** The customer of a ticket closed longer than the reopen window comes back with a new request that links it. */
  private static followUp(world: World, index: number, closed: TicketRun, openAt: number): TicketRun {
    const { title } = closed.ticket;
    return new TicketRun(world, index, closed.tenant, openAt, (random) => ({
      opener: closed.customer.actor,
      customer: closed.customer,
      category: closed.category,
      severity: pickSeverity(random, world.decisionPolicy, closed.tenant, closed.category),
      title: title.startsWith(FOLLOW_UP_TITLE) ? title : `${FOLLOW_UP_TITLE}${title}`,
      description: 'The earlier request was closed; the problem has come back.',
      relatedTicketId: closed.id,
    }));
  }

  /**
   * Records the ticket's next event: the SLA worker's when one of its timers is due by the next
   * planned step (at or before it), else that step. Returns the events and, when the ticket was
   * closed for good and a follow-up is reserved for it, the follow-up request (not opened yet).
   */
  step(): { events: TicketEvent[]; followUp: TicketRun | undefined } {
    const planned = this.nextPlanned();
    const timerAt = this.timerAt();
    const statusBefore = this.state.status;
    let events: TicketEvent[];
    let followUp: TicketRun | undefined;
    if (timerAt !== undefined && (planned === undefined || timerAt <= planned.at)) {
      events = this.actAsSlaWorker(timerAt);
    } else if (planned !== undefined) {
      this.agenda.splice(this.agenda.indexOf(planned), 1);
      events = this.send(planned.action, planned.at);
    } else {
      throw new Error(`ticket ${this.id} has nothing left to do; it should have left the schedule`);
    }
    const { status } = this.state;
    // Work on a triaged ticket is planned one step at a time.
    if (status !== statusBefore || (status === 'triaged' && this.agenda.length === 0)) {
      ({ agenda: this.agenda, followUp } = this.planFor(status));
    }
    const next = this.nextPlanned()?.at;
    const due = this.timerAt();
    this.nextAt = next === undefined ? due : due === undefined ? next : Math.min(next, due);
    return { events, followUp };
  }

  private nextPlanned(): Planned | undefined {
    let earliest: Planned | undefined;
    for (const planned of this.agenda) if (earliest === undefined || planned.at < earliest.at) earliest = planned;
    return earliest;
  }

  /** The worker acts when a timer is due, and never before the ticket's last event. */
  private timerAt(): number | undefined {
    return this.timer === undefined ? undefined : Math.max(this.timer.at.getTime(), this.lastEventAt);
  }

  private actAsSlaWorker(at: number): TicketEvent[] {
    const timer = this.timer as NextTimer;
    const events = this.record(actionFor(this.id, this.history, timer, this.world.policy).command, at);
    // A breached first response gets someone's attention: triage follows soon.
    const { status } = this.state;
    if (timer.reason === 'breach' && (status === 'opened' || status === 'reopened')) {
      const triage = this.agenda.find((planned) => planned.action.type === 'triage');
      if (triage !== undefined) triage.at = Math.min(triage.at, after(at, this.random.between(5 * MINUTE, 30 * MINUTE)));
    }
    return events;
  }

  private send(action: Action, at: number): TicketEvent[] {
    const commandId = action.type === 'open' ? this.openCommandId : `${this.openCommandId}-${++this.commandsSent}`;
    return this.record({ ...action, commandId, ticketId: this.id }, at);
  }

  private record(command: CommandInput, at: number): TicketEvent[] {
    const decision = decide(this.state, command, { now: new Date(at), policy: this.world.decisionPolicy });
    if (!decision.ok) {
      const when = new Date(at).toISOString();
      throw new Error(`generator bug: ticket ${this.id} (${this.state.status}) refused ${command.type} at ${when}: ${decision.rejection.message}`);
    }
    this.state = fold(decision.events, this.state);
    this.history.push(...decision.events);
    this.lastEventAt = at;
    this.timer = nextTimerAt(this.history, this.world.policy);
    return decision.events;
  }

  private get ticket() {
    const { ticket } = this.state;
    if (ticket === undefined) throw new Error(`ticket ${this.id} is not opened yet`);
    return ticket;
  }

  private get now(): number {
    return this.lastEventAt;
  }

  private get queue(): string {
    return `${this.ticket.category}-${this.tenant.desk}`;
  }

  /** The agent who owns the ticket, or one from its desk. */
  private agent(): Actor {
    const { owner } = this.ticket;
    return this.staff.agents.find((agent) => agent.id === owner) ?? this.random.pick(this.staff.agents);
  }

  private allowedSeverities(category: Category): Severity[] {
    return allowedSeverities(this.world.decisionPolicy, this.tenant, category);
  }

  private planFor(status: TicketStatus): { agenda: Planned[]; followUp?: TicketRun } {
    switch (status) {
      case 'opened':
      case 'reopened':
        // A new response cycle: its work is drawn when its first step is planned, once triaged.
        this.work = undefined;
        return { agenda: this.beforeTriage(status === 'opened') };
      case 'triaged':
        return { agenda: [this.nextWork()] };
      case 'awaitingCustomer':
        return { agenda: this.awaitingCustomer() };
      case 'downgraded':
        return { agenda: [this.afterDowngrade()] };
      case 'resolved':
        return { agenda: this.afterResolve() };
      case 'closed':
        return this.afterClose();
      case 'none':
        throw new Error(`ticket ${this.id} cannot go back to none`);
    }
  }

  private beforeTriage(firstCycle: boolean): Planned[] {
    const { random, now } = this;
    const { severity } = this.ticket;
    let delay = random.logNormal(TRIAGE_MEDIAN[severity] * TRIAGE_PACE[this.tenant.plan], 0.7);
    // A queue that fell behind: these breach the first response.
    if (random.chance(0.1)) delay *= random.between(2.5, 6);
    if (!firstCycle) delay *= 0.5;
    const hadOwner = this.ticket.owner !== undefined;
    const agent = this.agent();
    const agenda: Planned[] = [{ at: after(now, delay), action: this.triage(agent, firstCycle) }];
    if (firstCycle && random.chance(0.05)) {
      const duplicate = random.chance(0.3);
      agenda.push({
        at: after(now, delay * random.between(0.1, 0.8)),
        action: duplicate
          ? { type: 'close', actor: random.chance(0.5) ? agent : this.customer.actor, reason: 'duplicate', text: 'Same problem as another open request.' }
          : { type: 'close', actor: this.customer.actor, reason: 'cancelled', text: 'Solved it ourselves, thank you.' },
      });
    }
    if (!hadOwner && random.chance(0.12)) {
      agenda.push({ at: after(now, delay * random.between(0.2, 0.9)), action: { type: 'assign', actor: agent, owner: agent.id, queue: this.queue } });
    }
    if (random.chance(0.08)) {
      agenda.push({ at: after(now, delay * random.between(0.1, 0.9)), action: this.customerNote() });
    }
    return agenda;
  }

  private triage(agent: Actor, firstCycle: boolean): Action {
    const { random } = this;
    const ticket = this.ticket;
    let category = ticket.category;
    if (firstCycle && random.chance(0.03)) category = random.pick(CATEGORY_MIX.map(([c]) => c).filter((c) => c !== ticket.category));
    const allowed = this.allowedSeverities(category);
    let severity: Severity | undefined;
    // A new category may not offer the severity the customer chose: the agent sets one it does.
    if (!allowed.includes(ticket.severity)) severity = random.pick(allowed);
    else if (random.chance(0.1) && allowed.length > 1) severity = random.pick(allowed.filter((s) => s !== ticket.severity));
    return {
      type: 'triage',
      actor: agent,
      owner: agent.id,
      queue: `${category}-${this.tenant.desk}`,
      ...(category === ticket.category ? {} : { category }),
      ...(severity === undefined ? {} : { severity }),
    };
  }

  private drawCycleWork(): CycleWork {
    const { random } = this;
    const first = this.ticket.reopenCount === 0;
    return {
      infoRounds: random.weighted(
        first
          ? [
              [0, 15],
              [1, 30],
              [2, 30],
              [3, 15],
              [4, 10],
            ]
          : [
              [0, 50],
              [1, 50],
            ],
      ),
      notes: random.weighted([
        [0, 5],
        [1, 10],
        [2, 15],
        [3, 20],
        [4, 20],
        [5, 15],
        [6, 10],
        [8, 5],
      ]),
      handover: random.chance(0.15),
      upgrade: random.chance(0.05),
      outOfScope: first && random.chance(0.02),
    };
  }

  /** The next step of work on a triaged ticket: severity, handover, notes and questions first, then the resolution. */
  private nextWork(): Planned {
    const { random, now } = this;
    this.work ??= this.drawCycleWork();
    const { work } = this;
    const ticket = this.ticket;
    const supervisor = random.pick(this.staff.supervisors);
    if (work.upgrade) {
      work.upgrade = false;
      const higher = SEVERITY_ORDER[SEVERITY_ORDER.indexOf(ticket.severity) - 1];
      if (higher !== undefined && this.allowedSeverities(ticket.category).includes(higher)) {
        return {
          at: after(now, random.logNormal(2 * HOUR, 0.8)),
          action: { type: 'change-severity', actor: supervisor, severity: higher, reason: 'The business impact is larger than first reported.' },
        };
      }
    }
    if (work.handover) {
      work.handover = false;
      const others = this.staff.agents.filter((agent) => agent.id !== ticket.owner);
      const next = random.pick(others);
      return { at: after(now, random.between(HOUR, 10 * HOUR)), action: { type: 'assign', actor: supervisor, owner: next.id, queue: this.queue } };
    }
    if (work.notes > 0 && (work.infoRounds === 0 || random.chance(0.5))) {
      work.notes -= 1;
      return { at: after(now, random.logNormal(2 * HOUR, 1)), action: random.chance(0.75) ? this.agentNote() : this.customerNote() };
    }
    if (work.infoRounds > 0) {
      work.infoRounds -= 1;
      return { at: after(now, random.logNormal(3 * HOUR, 0.9)), action: { type: 'request-info', actor: this.agent(), text: random.pick(INFO_REQUESTS) } };
    }
    if (work.outOfScope) {
      work.outOfScope = false;
      return {
        at: after(now, random.logNormal(DAY, 0.5)),
        action: { type: 'close', actor: this.agent(), reason: 'out-of-scope', text: 'The cause is in the customer’s own network.' },
      };
    }
    return { at: after(now, random.logNormal(RESOLVE_MEDIAN[ticket.severity], 0.8)), action: this.resolve() };
  }

  /** The customer answers, slowly, or not at all: then the worker downgrades or the agent gives up. */
  private awaitingCustomer(): Planned[] {
    const { random, now } = this;
    const behaviour = random.weighted([
      ['replies', 60],
      ['slowly', 22],
      ['silent', 18],
    ] as const);
    const agenda: Planned[] = [];
    if (behaviour === 'replies') agenda.push({ at: after(now, Math.min(random.logNormal(8 * HOUR, 1), 2 * DAY)), action: this.customerReply() });
    else if (behaviour === 'slowly') agenda.push({ at: after(now, random.between(2.5 * DAY, 7 * DAY)), action: this.customerReply() });
    else agenda.push({ at: after(now, random.between(7 * DAY, 12 * DAY)), action: this.giveUp() });
    if (random.chance(0.2)) {
      agenda.push({
        at: after(now, random.between(DAY, 2 * DAY)),
        action: { type: 'note', actor: this.agent(), text: 'Friendly reminder: we are waiting for the information requested.', visibility: 'public' },
      });
    }
    return agenda;
  }

  private afterDowngrade(): Planned {
    const { random, now } = this;
    const next = random.weighted([
      ['reply', 55],
      ['resolve', 20],
      ['give up', 25],
    ] as const);
    if (next === 'reply') return { at: after(now, random.between(2 * HOUR, 4 * DAY)), action: this.customerReply() };
    if (next === 'resolve') return { at: after(now, random.between(4 * HOUR, 3 * DAY)), action: this.resolve() };
    return { at: after(now, random.between(3 * DAY, 10 * DAY)), action: this.giveUp() };
  }

  /** The customer confirms, an agent closes, the customer says it is not fixed, or nobody says anything (auto-close). */
  private afterResolve(): Planned[] {
    const { random, now } = this;
    const canReopen = this.ticket.reopenCount < MAX_REOPENS;
    const next = random.weighted([
      ['confirm', 50],
      ['agent closes', 5],
      ['reopen', canReopen ? 8 : 0],
      ['silence', 37],
    ] as const);
    switch (next) {
      case 'confirm':
        return [{ at: after(now, random.logNormal(20 * HOUR, 1.1)), action: { type: 'close', actor: this.customer.actor, text: 'Confirmed fixed, thanks.' } }];
      case 'agent closes':
        return [{ at: after(now, random.between(DAY, 6 * DAY)), action: { type: 'close', actor: this.agent(), text: 'Closed after confirmation by phone.' } }];
      case 'reopen':
        return [{ at: after(now, random.logNormal(DAY, 0.8)), action: this.reopen() }];
      case 'silence':
        return [];
    }
  }

  /**
   * Mostly the end. Sometimes the customer reopens within the window; a customer who comes back
   * (even after cancelling) does so after it, with a new request (when a ticket number is
   * reserved for it).
   */
  private afterClose(): { agenda: Planned[]; followUp?: TicketRun } {
    const { random, now } = this;
    const { closeReason, reopenCount } = this.ticket;
    const window = this.world.reopenWindowMs;
    const reopenable = closeReason !== 'cancelled' && closeReason !== 'duplicate' && reopenCount < MAX_REOPENS && window > 2 * HOUR;
    if (reopenable && random.chance(0.05)) return { agenda: [{ at: after(now, random.between(HOUR, window - HOUR)), action: this.reopen() }] };
    if (this.followUpIndex === undefined) return { agenda: [] };
    return { agenda: [], followUp: TicketRun.followUp(this.world, this.followUpIndex, this, after(now, window + random.between(HOUR, 21 * DAY))) };
  }

  private resolve(): Action {
    return { type: 'resolve', actor: this.agent(), text: this.random.pick(RESOLUTIONS) };
  }

  private giveUp(): Action {
    return { type: 'close', actor: this.agent(), reason: 'no-response', text: 'No response from the customer; closing. Reopen if needed.' };
  }

  private reopen(): Action {
    return { type: 'reopen', actor: this.customer.actor, text: this.random.pick(REOPEN_TEXTS) };
  }

  private customerReply(): Action {
    return { type: 'customer-reply', actor: this.customer.actor, text: this.random.pick(CUSTOMER_REPLIES) };
  }

  private customerNote(): Action {
    return { type: 'note', actor: this.customer.actor, text: this.random.pick(CUSTOMER_NOTES), visibility: 'public' };
  }

  private agentNote(): Action {
    return { type: 'note', actor: this.agent(), text: this.random.pick(AGENT_NOTES), visibility: this.random.chance(0.6) ? 'internal' : 'public' };
  }
}

function allowedSeverities(policy: DecisionPolicy, tenant: Tenant, category: Category): Severity[] {
  return SEVERITY_ORDER.filter((severity) => severityRefusal(policy, { ...tenant, category, severity }) === undefined);
}

/** The usual mix for the category, within what the policy offers the tenant (it always offers C). */
function pickSeverity(random: Random, policy: DecisionPolicy, tenant: Tenant, category: Category): Severity {
  const allowed = allowedSeverities(policy, tenant, category);
  return random.weighted(SEVERITY_MIX[category].filter(([severity]) => allowed.includes(severity)));
}
