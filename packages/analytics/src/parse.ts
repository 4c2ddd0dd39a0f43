import type { GroupBy, ReportFormat } from './types.js';
import { GROUP_BY, REPORT_FORMATS } from './types.js';

function oneOf<T extends string>(what: string, options: readonly T[], value: string): T {
  const match = options.find((option) => option === value);
  if (match === undefined) throw new RangeError(`unknown ${what} ${JSON.stringify(value)}: use one of ${options.join(', ')}`);
  return match;
}

/** A --group-by value; a RangeError lists the options for anything else. */
export const parseGroupBy = (value: string): GroupBy => oneOf('grouping', GROUP_BY, value);

/** A --format value; a RangeError lists the options for anything else. */
export const parseReportFormat = (value: string): ReportFormat => oneOf('report format', REPORT_FORMATS, value);
