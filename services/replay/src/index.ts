export type { ReplayClock, ReplayOptions, ReplayStep, TicketAsOf, TicketNotYetOpened, TicketReplay, TicketTimeline } from './timeline.js';
export { renderTimeline, replayTicket } from './timeline.js';
export type { ExportFormat, ExportOptions } from './export-stream.js';
export { EXPORT_FORMATS } from './export-stream.js';
export { EVENT_CSV_COLUMNS, exportEvents } from './export-events.js';
export { TICKET_CSV_COLUMNS, exportTickets } from './export-tickets.js';
export type { ReportRequest, ReportSource } from './reports.js';
export { factsUnder, lastEventOf, pinnedFacts, slaReportFor, statesReportFor } from './reports.js';
