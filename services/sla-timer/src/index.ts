export { SlaTimer } from './sla-timer.js';
export type { SlaTimerOptions, SlaTimerStats, TimerOutcome } from './sla-timer.js';
export { SlaTimerStore } from './timer-store.js';
export type { PendingTimer, SlaTimerStoreOptions, TicketTimer, TimerReason } from './timer-store.js';
export { ESCALATION_LEVEL, SLA_ACTOR, actionFor, pendingTimer } from './actions.js';
export type { TimerAction } from './actions.js';
export { TICKET_EVENTS_TOPIC, readTicketChange } from './messages.js';
export type { TicketChange } from './messages.js';
