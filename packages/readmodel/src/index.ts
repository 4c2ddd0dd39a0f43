export { InvalidCursorError } from './query.js';
export type { TicketPage, TicketQuery, TicketSummary } from './query.js';
export { TicketList } from './ticket-list.js';
export type { TicketListOptions } from './ticket-list.js';
export { rebuildTicketList } from './rebuild.js';
export type { RebuildOptions, RebuildProgress, RebuildResult } from './rebuild.js';
