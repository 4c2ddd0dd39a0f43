export type { ReplayClock, ReplayOptions, ReplayStep, TicketAsOf, TicketNotYetOpened, TicketReplay, TicketTimeline } from './timeline.js';
export { renderTimeline, replayTicket } from './timeline.js';
export type { ExportFormat, ExportOptions } from './export-events.js';
export { CSV_COLUMNS, EXPORT_FORMATS, exportEvents } from './export-events.js';
