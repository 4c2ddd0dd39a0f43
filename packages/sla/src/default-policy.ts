/**
 * The default policy, from the seeds (Microsoft 365 / Office 365 business support, including
 * Office 365 operated by 21Vianet and Office 365 Germany). DESIGN.md's "SLA policy" table is
 * the technical part; the sources of everything else are quoted where it is set.
 */
import type { Category, DecisionPolicy, Plan, Severity } from '@caseflow/domain';
import type { CalendarSpec } from './calendar.js';
import type { SlaPolicy, Target } from './policy.js';
import { NO_COMMITMENT, TICKET_REGION, WALL_CLOCK, decisionPolicyOf, policyFor } from './policy.js';

type Hours = [string, string][];

function week(weekdays: Hours, weekend: Hours = []): CalendarSpec['hours'] {
  return { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays, sat: weekend, sun: weekend };
}

const officeHours = (zone: string, close = '17:00'): CalendarSpec => ({ zone, hours: week([['09:00', close]]) });

const within = (duration: Target['within'], calendar: string): Target => ({ within: duration, calendar });
const oneHourAroundTheClock = within('PT1H', WALL_CLOCK);

/** Technical support initial response times (001 "技术支持初始响应时间", 002 21Vianet "Technical support initial response times"). */
const technical: Record<Plan, Record<Severity, Target>> = {
  // "可用：工作时间 响应时间：未承诺" (available: business hours; response time: no commitment).
  business: { A: oneHourAroundTheClock, B: within(NO_COMMITMENT, TICKET_REGION), C: within(NO_COMMITMENT, TICKET_REGION) },
  // "可用：24/7 响应时间：次日" (next day): 24 hours on the wall clock.
  enterprise: { A: oneHourAroundTheClock, B: within('PT24H', WALL_CLOCK), C: within(NO_COMMITMENT, WALL_CLOCK) },
  frontline: { A: oneHourAroundTheClock, B: within('PT24H', WALL_CLOCK), C: within(NO_COMMITMENT, WALL_CLOCK) },
  elevated: { A: oneHourAroundTheClock, B: within('PT2H', WALL_CLOCK), C: within('PT4H', WALL_CLOCK) },
  // "Sev B: Initial Response: 1 business day or less. Sev C: 3 business day or less." counted on
  // "Severity B/C: 9:00 ~24:00 (Beijing Time) a day, 365 days", so one business day is 15 hours.
  // (The zh-CN document says 1 hour for B; the later English, Polish and German ones say 1 business day.)
  '21vianet': {
    A: oneHourAroundTheClock,
    B: within({ businessDays: 1 }, '21vianet'),
    C: within({ businessDays: 3 }, '21vianet'),
  },
};

/**
 * Billing and pre-sales requests. The seeds publish no response times for them, only when they
 * are served, so they get no commitment (no deadline, no timer), measured on those hours:
 *   - billing: "Billing support is provided in English from 9 AM-5 PM (9 AM-6 PM in Australia),
 *     Monday-Friday" (002); "可在线或在本地营业时间（周一到周五）" (001); Office 365 Germany
 *     "Billing Support: German: Mon-Fri 9-5 Berlin" (002): the region's business hours;
 *   - 21Vianet billing: "during China business hours (Beijing Time), Monday through Friday" (002);
 *   - pre-sales: "你可以在星期一至星期五的本地营业时间内拨打电话" (001), and for 21Vianet "You can
 *     call during local business hours, Monday through Friday" (002): the region's business hours.
 * Severity A is never available for them (see availability), but every cell needs a target.
 */
const servedDuring = (calendar: string): Record<Severity, Target> => {
  const target = within(NO_COMMITMENT, calendar);
  return { A: target, B: target, C: target };
};

function targetsOf(plan: Plan): Record<Category, Record<Severity, Target>> {
  return {
    technical: technical[plan],
    billing: servedDuring(plan === '21vianet' ? 'region:CN' : TICKET_REGION),
    presales: servedDuring(TICKET_REGION),
  };
}

export const defaultPolicy: SlaPolicy = {
  id: 'm365-default',
  version: 1,
  calendars: {
    // "Severity B/C: 9:00 ~24:00 (Beijing Time) a day, 365 days." (002)
    '21vianet': { zone: 'Asia/Shanghai', hours: week([['09:00', '24:00']], [['09:00', '24:00']]) },
  },
  // Business hours: Monday–Friday 09:00–17:00 local, 09:00–18:00 in Australia (002, billing support hours).
  regions: {
    US: officeHours('America/New_York'),
    CA: officeHours('America/Toronto'),
    GB: officeHours('Europe/London'),
    AU: officeHours('Australia/Sydney', '18:00'),
    DE: officeHours('Europe/Berlin'),
    PL: officeHours('Europe/Warsaw'),
    CN: officeHours('Asia/Shanghai'),
    TW: officeHours('Asia/Taipei'),
  },
  // The seeds list no hours for other regions; the US hours stand in until a policy lists them.
  fallbackRegion: 'US',
  availability: {
    // "Severity A is available only for technical support. For billing and subscription
    // management support, the highest severity level is B." (002); pre-sales likewise.
    highestByCategory: { technical: 'A', billing: 'B', presales: 'B' },
    // "Severity A is only available to customers who had signed an advanced online service agreement with 21Vianet" (002).
    severityARequiresAgreement: ['21vianet'],
    plansWithoutSeverityA: [],
  },
  warningThreshold: 0.75,
  // "If the customer cannot ... make response for collaboration ... in reasonable time, 21Vianet
  // support team may lower down the severity level" (002). "Reasonable" is ours: two business days.
  collaborationWindow: { within: { businessDays: 2 }, calendar: TICKET_REGION },
  autoClose: { within: 'P7D', calendar: WALL_CLOCK },
  reopenWindow: 'P14D',
  clocks: [
    {
      name: 'initial-response',
      startedBy: ['TicketOpened', 'TicketReopened'],
      // Triage is the first response: the agent has looked at the case and set its severity.
      fulfilledBy: ['TicketTriaged'],
      stoppedBy: ['TicketClosed'],
      pausedIn: ['awaitingCustomer', 'downgraded'],
      targets: {
        business: targetsOf('business'),
        enterprise: targetsOf('enterprise'),
        frontline: targetsOf('frontline'),
        elevated: targetsOf('elevated'),
        '21vianet': targetsOf('21vianet'),
      },
    },
  ],
};

/** The policies tickets may have pinned, the current one first. */
export type PolicyList = readonly [SlaPolicy, ...SlaPolicy[]];

/** The policies as given, the first being the current one; the default policy when none are. */
export function policyList(policies: readonly SlaPolicy[] = []): PolicyList {
  const [current = defaultPolicy, ...older] = policies;
  return [current, ...older];
}

/** The policy a ticket pinned when it opened, or the current one when the pinned one is not among those given. */
export const pinnedPolicy = (ref: { id: string; version: number }, policies: PolicyList): SlaPolicy => policyFor(ref, policies) ?? policies[0];

/** What a CommandEngine decides by: the current policy, and the older ones tickets may have pinned. */
export const enginePolicies = ([current, ...older]: PolicyList): { policy: DecisionPolicy; pinnedPolicies: DecisionPolicy[] } => ({
  policy: decisionPolicyOf(current),
  pinnedPolicies: older.map(decisionPolicyOf),
});
