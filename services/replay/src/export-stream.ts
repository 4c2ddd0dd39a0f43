/**
 * What every export shares: the format and window checks, and a writer that streams rows with
 * backpressure (a slow reader holds the source back), so memory stays flat on any log size.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: ExportFormat;
  /** Only what occurred (events) or opened (tickets) at or after this instant. */
  from?: Date;
  /** ...and before this instant. */
  to?: Date;
}

/**
 * Whether an ISO instant falls in [from, to), unbounded where not given. Throws a RangeError for an
 * unknown format or an empty window.
 */
export function checkedWindow(options: ExportOptions): (instant: string) => boolean {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) {
    throw new RangeError(`unknown export format "${options.format}": use ${EXPORT_FORMATS.join(' or ')}`);
  }
  const from = options.from?.getTime() ?? Number.NEGATIVE_INFINITY;
  const to = options.to?.getTime() ?? Number.POSITIVE_INFINITY;
  if (Number.isNaN(from)) throw new RangeError('the export window needs a valid instant for from');
  if (Number.isNaN(to)) throw new RangeError('the export window needs a valid instant for to');
  if (from >= to) {
    throw new RangeError(`an empty export window: from (${options.from?.toISOString()}) must be before to (${options.to?.toISOString()})`);
  }
  return (instant) => {
    const at = Date.parse(instant);
    // "Not outside", so that an instant that does not parse is exported rather than silently dropped.
    return !(at < from || at >= to);
  };
}

export interface RowShape<T> {
  /** The NDJSON line's object, in a fixed key order. */
  json(item: T): unknown;
  columns: readonly string[];
  csv(item: T): string[];
}

/** Writes each item as a line of NDJSON, or a CSV row under a header row; leaves `out` open. Resolves with how many items it wrote. */
export async function writeRows<T>(items: AsyncIterable<T> | Iterable<T>, format: ExportFormat, shape: RowShape<T>, out: NodeJS.WritableStream): Promise<number> {
  let written = 0;
  async function* each<R>(formatted: (item: T) => R): AsyncGenerator<R> {
    for await (const item of items) {
      written += 1;
      yield formatted(item);
    }
  }
  if (format === 'ndjson') {
    await pipeline(Readable.from(each((item) => `${JSON.stringify(shape.json(item))}\n`)), out, { end: false });
  } else {
    await pipeline(Readable.from(each((item) => shape.csv(item))), stringify({ header: true, columns: [...shape.columns] }), out, { end: false });
  }
  return written;
}
