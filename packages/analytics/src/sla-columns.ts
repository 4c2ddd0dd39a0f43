import { byKey, emptyRow } from './sla-report.js';
import type { SlaComparison, SlaReport, SlaRow } from './types.js';

/** How a figure reads: a count, a duration in ms, or a fraction. */
export type FigureKind = 'count' | 'duration' | 'rate';

/** One figure of an SLA row, as both the CSV and the table name it. */
export interface SlaFigure {
  /** The CSV column; undefined for figures only the table shows (rates, which the counts give). */
  column: string | undefined;
  heading: string;
  kind: FigureKind;
  of(row: SlaRow): number | null;
}

/** The share of committed responses (met or breached) that were met. */
const metRate = (row: SlaRow): number | null => (row.met + row.breached === 0 ? null : row.met / (row.met + row.breached));

const count = (column: string, heading: string, of: (row: SlaRow) => number): SlaFigure => ({ column, heading, kind: 'count', of });
const duration = (column: string, heading: string, of: (row: SlaRow) => number | null): SlaFigure => ({ column, heading, kind: 'duration', of });

/** The figures of an SLA row in reading order, with one escalation column per level given. */
export function slaFigures(levels: readonly string[]): SlaFigure[] {
  return [
    count('tickets', 'tickets', (row) => row.tickets),
    count('met', 'met', (row) => row.met),
    count('breached', 'breached', (row) => row.breached),
    { column: undefined, heading: 'met %', kind: 'rate', of: metRate },
    count('no_commitment', 'no commit.', (row) => row.noCommitment),
    count('pending', 'pending', (row) => row.pending),
    count('stopped', 'stopped', (row) => row.stopped),
    duration('response_median_ms', 'median', (row) => row.responseMedianMs),
    duration('response_p90_ms', 'p90', (row) => row.responseP90Ms),
    duration('awaiting_customer_ms', 'awaiting', (row) => row.awaitingCustomerMs),
    count('downgrades', 'downgrades', (row) => row.downgrades),
    count('reopens', 'reopens', (row) => row.reopens),
    count('reopens_refused', 'refused', (row) => row.reopensRefused),
    ...levels.map((level) => count(`escalations_level_${level}`, `esc. L${level}`, (row) => row.escalations[level] ?? 0)),
  ];
}

/** Every escalation level any of the rows has, in ascending order. */
export function escalationLevels(rows: Iterable<SlaRow>): string[] {
  const levels = new Set<string>();
  for (const row of rows) for (const level of Object.keys(row.escalations)) levels.add(level);
  return [...levels].sort((a, b) => Number(a) - Number(b));
}

/** A report's rows with its total last. */
export const rowsWithTotal = (report: SlaReport): SlaRow[] => [...report.rows, report.total];

/** The rows of both reports side by side, group by group (a group only one has is empty in the other), totals last. */
export function pairedRows(comparison: SlaComparison): [SlaRow, SlaRow][] {
  const { actual, whatIf } = comparison;
  const groups = [...new Set([...actual.rows, ...whatIf.rows].map((row) => row.group))].sort(byKey);
  const actualRows = new Map(actual.rows.map((row) => [row.group, row]));
  const whatIfRows = new Map(whatIf.rows.map((row) => [row.group, row]));
  const paired = groups.map((group): [SlaRow, SlaRow] => [actualRows.get(group) ?? emptyRow(group), whatIfRows.get(group) ?? emptyRow(group)]);
  return [...paired, [actual.total, whatIf.total]];
}
