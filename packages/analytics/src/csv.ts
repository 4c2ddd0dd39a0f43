import { stringify } from 'csv-stringify/sync';
import { escalationLevels, pairedRows, rowsWithTotal, slaFigures } from './sla-columns.js';
import type { SlaFigure } from './sla-columns.js';
import type { SlaComparison, SlaReport, StatesReport } from './types.js';

type Cell = string | number | null;

/** A header row, then one record per row; null is an empty field; Unix line ends. */
const csv = (columns: string[], records: Cell[][]): string => stringify(records, { header: true, columns });

/** Figures with a CSV column; durations stay integer milliseconds. */
const csvFigures = (levels: readonly string[]) =>
  slaFigures(levels).filter((figure): figure is SlaFigure & { column: string } => figure.column !== undefined);

/** One record per group, the total ("all") last. */
export function slaCsv(report: SlaReport): string {
  const rows = rowsWithTotal(report);
  const figures = csvFigures(escalationLevels(rows));
  return csv(
    ['group', ...figures.map((figure) => figure.column)],
    rows.map((row) => [row.group, ...figures.map((figure) => figure.of(row))]),
  );
}

/** One record per group, each figure as `<figure>_actual` beside `<figure>_what_if`. */
export function comparisonCsv(comparison: SlaComparison): string {
  const pairs = pairedRows(comparison);
  const figures = csvFigures(escalationLevels(pairs.flat()));
  return csv(
    ['group', ...figures.flatMap((figure) => [`${figure.column}_actual`, `${figure.column}_what_if`])],
    pairs.map(([actual, whatIf]) => [actual.group, ...figures.flatMap((figure) => [figure.of(actual), figure.of(whatIf)])]),
  );
}

/**
 * Both parts in one table, told apart by `section`: "state" records fill state, severity, stays,
 * median_ms and p90_ms; "transition" records fill from, to and count.
 */
export function statesCsv(report: StatesReport): string {
  return csv(
    ['section', 'state', 'severity', 'stays', 'median_ms', 'p90_ms', 'from', 'to', 'count'],
    [
      ...report.rows.map((row): Cell[] => ['state', row.state, row.severity, row.stays, row.medianMs, row.p90Ms, null, null, null]),
      ...report.transitions.map((flow): Cell[] => ['transition', null, null, null, null, null, flow.from, flow.to, flow.count]),
    ],
  );
}
