import { comparisonCsv, slaCsv, statesCsv } from './csv.js';
import { parseReportFormat } from './parse.js';
import { comparisonTable, slaTable, statesTable } from './table.js';
import type { Report, ReportFormat } from './types.js';

const renderers: Record<ReportFormat, { [K in Report['kind']]: (report: Extract<Report, { kind: K }>) => string }> = {
  json: { sla: json, states: json, 'sla-what-if': json },
  csv: { sla: slaCsv, states: statesCsv, 'sla-what-if': comparisonCsv },
  table: { sla: slaTable, states: statesTable, 'sla-what-if': comparisonTable },
};

/** Key order is the order the reports build their objects in, which is fixed. */
function json(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * A report as text: JSON, CSV with a header row, or an aligned plain-text table. Deterministic:
 * equal reports give byte-identical text. An unknown format is a RangeError listing the formats.
 */
export function renderReport(report: Report, format: ReportFormat): string {
  const byKind = renderers[parseReportFormat(format)];
  switch (report.kind) {
    case 'sla':
      return byKind.sla(report);
    case 'states':
      return byKind.states(report);
    case 'sla-what-if':
      return byKind['sla-what-if'](report);
  }
}
