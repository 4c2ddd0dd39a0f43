export * from './types.js';
export { ticketFacts } from './facts.js';
export { percentile } from './percentile.js';
export { compareSla, slaReport } from './sla-report.js';
export { statesReport } from './states-report.js';
export { renderReport } from './render.js';
export { humanDuration } from './table.js';
export { parseGroupBy, parseReportFormat } from './parse.js';
