export type { Clock } from './clock.js';
export { fixedClock, systemClock } from './clock.js';
export { STREAM_PREFIX, fromStored, storedEnvelope, streamOf, toStored } from './codec.js';
export type { EngineOptions, EngineRejection, HandleOptions, HandleResult, Handled } from './engine.js';
export { CommandEngine } from './engine.js';
export type { HistoryEntry } from './history.js';
export { readHistory, readTicketAt } from './history.js';
export type { TicketView } from './view.js';
export { ticketView } from './view.js';
