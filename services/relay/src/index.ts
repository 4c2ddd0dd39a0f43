export { EVENT_SOURCE, toTicketMessage } from './cloudevents.js';
export { RelayBookkeeping } from './lease.js';
export { Relay, TICKET_EVENTS_TOPIC } from './relay.js';
export type { RelayOptions } from './relay.js';
