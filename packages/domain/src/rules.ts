import type { Command } from './commands.js';
import type { Actor, Category, Plan, Severity } from './model.js';
import { RESOLVED_CLOSE_REASONS, SEVERITY_ORDER, UNRESOLVED_CLOSE_REASONS, lowerSeverity } from './model.js';
import type { DecisionPolicy } from './policy.js';
import { reopenWindowMillis } from './policy.js';
import type { Rejection } from './rejection.js';
import { validationFailed } from './rejection.js';
import type { Ticket } from './ticket.js';

export interface RuleInput {
  ticket: Ticket | undefined;
  command: Command;
  now: string;
  policy: DecisionPolicy;
}
type Rule = (input: RuleInput) => Rejection | undefined;

const STAFF = new Set(['agent', 'supervisor']);
const isStaff = (actor: Actor) => STAFF.has(actor.role);
/** A customer admin of the tenant, or a partner holding delegated admin rights for it. */
const isTenantAdmin = (actor: Actor, tenant: string) =>
  (actor.role === 'customer-admin' && actor.tenant === tenant) ||
  (actor.role === 'partner' && (actor.delegations ?? []).includes(tenant));

const notAuthorized = (actor: Actor, what: string): Rejection => ({
  code: 'not_authorized',
  message: `${actor.role} ${actor.id}@${actor.tenant} may not ${what}`,
});

function requireTicket(input: RuleInput): Ticket {
  if (input.ticket === undefined) throw new Error(`rule needs an opened ticket (command ${input.command.type})`);
  return input.ticket;
}

export interface SeverityQuery {
  plan: Plan;
  advancedAgreement: boolean;
  category: Category;
  severity: Severity;
}

/** Why the policy does not offer this severity for this plan and category; undefined when it does. */
export function severityRefusal(policy: DecisionPolicy, { plan, advancedAgreement, category, severity }: SeverityQuery): string | undefined {
  const highest = policy.severity.highestByCategory[category];
  if (SEVERITY_ORDER.indexOf(severity) < SEVERITY_ORDER.indexOf(highest)) {
    return `${category} requests are at most severity ${highest}`;
  }
  if (severity !== 'A') return undefined;
  if (policy.severity.plansWithoutSeverityA.includes(plan)) return `the ${plan} plan does not offer severity A`;
  if (policy.severity.severityARequiresAgreement.includes(plan) && !advancedAgreement) {
    return `severity A on the ${plan} plan needs the advanced online service agreement`;
  }
  return undefined;
}

/**
 * Every guard of the ticket machine, by name. A guard passes when its rule finds nothing wrong;
 * when a command is refused, the same rule says why.
 */
export const RULES = {
  mayOpen: ({ command }) => {
    if (command.type !== 'open') return undefined;
    const { actor, tenant } = command;
    if (isTenantAdmin(actor, tenant) || isStaff(actor)) return undefined;
    return notAuthorized(actor, `open a request for ${tenant}: only its admins, delegated partners, or agents on its behalf may`);
  },
  staffOnly: ({ command }) => (isStaff(command.actor) ? undefined : notAuthorized(command.actor, command.type)),
  supervisorOnly: ({ command }) => (command.actor.role === 'supervisor' ? undefined : notAuthorized(command.actor, command.type)),
  /** Taking an unowned ticket is any agent's job; moving it from its owner to someone else is a supervisor's. */
  reassignNeedsSupervisor: (input) => {
    const { command } = input;
    if (command.type !== 'assign' || command.actor.role === 'supervisor') return undefined;
    const { owner } = requireTicket(input);
    return owner === undefined || owner === command.owner
      ? undefined
      : notAuthorized(command.actor, `reassign a ticket owned by ${owner}: only a supervisor may`);
  },
  staffOrService: ({ command }) =>
    isStaff(command.actor) || command.actor.role === 'service' ? undefined : notAuthorized(command.actor, command.type),
  /** The customer's side: its admins and delegated partners, or an agent acting on their behalf. */
  customerSide: (input) => {
    const { actor } = input.command;
    return isTenantAdmin(actor, requireTicket(input).tenant) || isStaff(actor)
      ? undefined
      : notAuthorized(actor, `${input.command.type} for this ticket`);
  },
  /** Anyone who works the ticket: customer side, support staff, or the workers. */
  participant: (input) => {
    const { actor } = input.command;
    return isTenantAdmin(actor, requireTicket(input).tenant) || isStaff(actor) || actor.role === 'service'
      ? undefined
      : notAuthorized(actor, `${input.command.type} on this ticket`);
  },
  severityAvailable: (input) => {
    const { command, policy } = input;
    let problem: string | undefined;
    if (command.type === 'open') {
      problem = severityRefusal(policy, command);
    } else if (command.type === 'triage' || command.type === 'change-severity') {
      const ticket = requireTicket(input);
      const category = command.type === 'triage' ? (command.category ?? ticket.category) : ticket.category;
      problem = severityRefusal(policy, { ...ticket, category, severity: command.severity ?? ticket.severity });
    }
    return problem === undefined ? undefined : { code: 'severity_not_allowed', message: problem };
  },
  /** An agent may only raise severity; lowering is the downgrade command's business, with its own rules and count. */
  severityRises: (input) => {
    const { command } = input;
    if (command.type !== 'change-severity') return undefined;
    const current = requireTicket(input).severity;
    if (SEVERITY_ORDER.indexOf(command.severity) < SEVERITY_ORDER.indexOf(current)) return undefined;
    return validationFailed([
      { path: ['severity'], message: `severity can only be raised above ${current} here; lowering it is a downgrade` },
    ]);
  },
  canLowerSeverity: (input) => {
    const { severity } = requireTicket(input);
    return lowerSeverity(severity) === undefined
      ? { code: 'severity_not_allowed', message: `severity ${severity} is the lowest; it cannot be downgraded` }
      : undefined;
  },
  unresolvedCloseReason: ({ command }) => {
    if (command.type !== 'close') return undefined;
    const reason = command.reason;
    if (reason !== undefined && (UNRESOLVED_CLOSE_REASONS as readonly string[]).includes(reason)) return undefined;
    return validationFailed([
      { path: ['reason'], message: `closing an unresolved ticket needs a reason: ${UNRESOLVED_CLOSE_REASONS.join(', ')}` },
    ]);
  },
  resolvedCloseReason: ({ command }) => {
    if (command.type !== 'close' || command.reason === undefined) return undefined;
    if ((RESOLVED_CLOSE_REASONS as readonly string[]).includes(command.reason)) return undefined;
    return validationFailed([
      { path: ['reason'], message: `a resolved ticket closes as ${RESOLVED_CLOSE_REASONS.join(', ')}` },
    ]);
  },
  withinReopenWindow: (input) => {
    const { closedAt } = requireTicket(input);
    if (closedAt === undefined) return undefined;
    const windowEnd = Date.parse(closedAt) + reopenWindowMillis(input.policy);
    if (Date.parse(input.now) <= windowEnd) return undefined;
    const windowEndedAt = new Date(windowEnd).toISOString();
    return {
      code: 'reopen_window_expired',
      message: `the ticket closed at ${closedAt}; it could be reopened until ${windowEndedAt} (${input.policy.reopenWindow}). Open a new request that links it`,
      closedAt,
      windowEndedAt,
    };
  },
  /** Each clock escalates upwards; an escalation that names no clock must rise above every level so far. */
  escalationRises: (input) => {
    const { command } = input;
    if (command.type !== 'escalate') return undefined;
    const ticket = requireTicket(input);
    const current = command.clock === undefined ? ticket.escalationLevel : (ticket.clockEscalations[command.clock] ?? 0);
    if (command.level > current) return undefined;
    const which = command.clock === undefined ? 'the ticket is' : `clock ${command.clock} is`;
    return validationFailed([{ path: ['level'], message: `${which} already at escalation level ${current}` }]);
  },
} satisfies Record<string, Rule>;

export type RuleName = keyof typeof RULES;

export function firstViolation(rules: readonly RuleName[], input: RuleInput): Rejection | undefined {
  for (const name of rules) {
    const rejection = RULES[name](input);
    if (rejection !== undefined) return rejection;
  }
  return undefined;
}
