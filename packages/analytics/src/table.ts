import { escalationLevels, pairedRows, rowsWithTotal, slaFigures } from './sla-columns.js';
import type { FigureKind, SlaFigure } from './sla-columns.js';
import type { SlaComparison, SlaReport, StatesReport } from './types.js';

const NOTHING = '—';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "45s", "12m", "3h 05m", "2d 4h" (rounded down); "—" for none. */
export function humanDuration(ms: number | null): string {
  if (ms === null) return NOTHING;
  if (ms < MINUTE) return `${Math.floor(ms / 1000)}s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}m`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)}h ${String(Math.floor((ms % HOUR) / MINUTE)).padStart(2, '0')}m`;
  return `${Math.floor(ms / DAY)}d ${Math.floor((ms % DAY) / HOUR)}h`;
}

function figureText(kind: FigureKind, value: number | null): string {
  if (value === null) return NOTHING;
  switch (kind) {
    case 'count':
      return String(value);
    case 'duration':
      return humanDuration(value);
    case 'rate':
      return `${(100 * value).toFixed(1)}%`;
  }
}

interface Column {
  heading: string;
  /** Text reads from the left, figures line up on the right. */
  align: 'left' | 'right';
}

/** Columns padded to their widest cell, two spaces apart, a rule under the headings and before the footer rows. */
function layout(columns: readonly Column[], body: readonly string[][], footer: readonly string[][] = []): string[] {
  const widths = columns.map((column, c) => Math.max(column.heading.length, ...[...body, ...footer].map((cells) => (cells[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, c) => (column.align === 'left' ? (cells[c] ?? '').padEnd(widths[c] ?? 0) : (cells[c] ?? '').padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = '-'.repeat(widths.reduce((sum, width) => sum + width, 2 * (columns.length - 1)));
  const lines = [line(columns.map((column) => column.heading)), rule, ...body.map(line)];
  return footer.length === 0 ? lines : [...lines, rule, ...footer.map(line)];
}

const windowText = (report: { from: string; to: string; asOf: string }) =>
  `tickets opened from ${report.from}, before ${report.to} · as of ${report.asOf}`;

const groupingText = (report: SlaReport) => (report.groupBy === null ? '' : ` · by ${report.groupBy}`);

/** A group column, then one per figure; the last row (the total) below the rule as the footer. */
function figureTable(title: string, report: SlaReport, figures: readonly SlaFigure[], rows: readonly string[][]): string {
  const columns: Column[] = [{ heading: report.groupBy ?? 'group', align: 'left' }, ...figures.map((figure): Column => ({ heading: figure.heading, align: 'right' }))];
  return [title, '', ...layout(columns, rows.slice(0, -1), rows.slice(-1))].join('\n') + '\n';
}

export function slaTable(report: SlaReport): string {
  const rows = rowsWithTotal(report);
  const figures = slaFigures(escalationLevels(rows));
  const cells = rows.map((row) => [row.group, ...figures.map((figure) => figureText(figure.kind, figure.of(row)))]);
  return figureTable(`SLA report · ${windowText(report)} · policy ${report.policy}${groupingText(report)}`, report, figures, cells);
}

/** Each cell reads "actual → what-if". */
export function comparisonTable(comparison: SlaComparison): string {
  const { actual, whatIf } = comparison;
  const pairs = pairedRows(comparison);
  const figures = slaFigures(escalationLevels(pairs.flat()));
  const cells = pairs.map(([before, after]) => [
    before.group,
    ...figures.map((figure) => `${figureText(figure.kind, figure.of(before))} → ${figureText(figure.kind, figure.of(after))}`),
  ]);
  return figureTable(`SLA what-if · ${windowText(actual)} · policy ${actual.policy} → ${whatIf.policy}${groupingText(actual)}`, actual, figures, cells);
}

export function statesTable(report: StatesReport): string {
  const left = (heading: string): Column => ({ heading, align: 'left' });
  const right = (heading: string): Column => ({ heading, align: 'right' });
  const stays = layout(
    [left('state'), left('severity'), right('stays'), right('median'), right('p90')],
    report.rows.map((row) => [row.state, row.severity, String(row.stays), humanDuration(row.medianMs), humanDuration(row.p90Ms)]),
  );
  const flows = layout(
    [left('from'), left('to'), right('count')],
    report.transitions.map((flow) => [flow.from, flow.to, String(flow.count)]),
  );
  return [`States report · ${windowText(report)}`, '', 'Time in state (completed stays)', ...stays, '', 'Transitions', ...flows].join('\n') + '\n';
}
