export { InvalidCursorError } from './query.js';
export type { TicketPage, TicketQuery, TicketSummary } from './query.js';
export { TicketList } from './ticket-list.js';
export type { TicketListOptions } from './ticket-list.js';
