export type { BusinessCalendar } from './calendar.js';
export { ALWAYS_OPEN, CalendarError, CalendarSpec, compileCalendar } from './calendar.js';
export {
  ClockDefinition,
  NO_COMMITMENT,
  Period,
  PolicyError,
  SlaPolicy,
  TICKET_REGION,
  Target,
  TargetTable,
  WALL_CLOCK,
  WorkingTime,
  decisionPolicyOf,
  parsePolicy,
  policyFor,
  policyLabel,
  workingDurationMs,
} from './policy.js';
export { defaultPolicy, enginePolicies, pinnedPolicy, policyList } from './default-policy.js';
export type { PolicyList } from './default-policy.js';
export { clocks, nextTimerAt } from './clocks.js';
export type { ClockStatus, NextTimer, SlaClock } from './clocks.js';
export { dueFor } from './due.js';
export type { DueAnswer, DueQuery } from './due.js';
export { isoWorkingTime } from './targets.js';
export { loadPolicies, loadPolicy } from './load-policy.js';
