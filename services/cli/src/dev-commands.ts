import type { Command as Cli } from 'commander';
import { DuplicateEventIdError, openSqliteEventStore } from '@caseflow/eventstore';
import { DEFAULT_START, writeGeneratedLog } from '@caseflow/replay';
import type { GlobalOptions } from './context.js';
import { parseInstant, storeFile } from './context.js';
import { UsageError } from './errors.js';
import type { Output } from './output.js';
import { toJson } from './output.js';

type Options = Record<string, unknown> & GlobalOptions & { server?: string };

/** `--tickets 500`: digits only, so that "1e3", "12abc" or "0x10" are refused rather than read as something else. */
function wholeNumber(value: unknown, option: string, { positive }: { positive: boolean }): number {
  const text = String(value);
  const number = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number) || (positive && number < 1)) {
    throw new UsageError(`${option} needs a ${positive ? 'positive ' : ''}whole number, not "${text}"`);
  }
  return number;
}

export function addDevCommands(program: Cli, output: Output, globals: (cmd: Cli) => Options): void {
  const dev = program.command('dev').description('tools for development and demos');
  dev
    .command('generate')
    .description('write seeded, realistic ticket histories into the embedded store under --data (the same seed, the same histories)')
    .requiredOption('--tickets <n>', 'how many tickets to open, follow-ups included')
    .requiredOption('--seed <s>', 'a whole number')
    .option('--start <instant>', `when the generated log begins (ISO 8601; default ${DEFAULT_START.toISOString()})`)
    .option('--append', 'add to a store that already holds events (a seed written before is refused)')
    .action(async (_opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      if (o.server !== undefined) throw new UsageError('dev generate writes into the local store under --data; it cannot act through --server');
      const tickets = wholeNumber(o.tickets, '--tickets', { positive: true });
      const seed = wholeNumber(o.seed, '--seed', { positive: false });
      const start = o.start === undefined ? undefined : parseInstant(o.start as string, '--start');
      const file = storeFile(o.data);
      const store = openSqliteEventStore(file);
      try {
        if (store.lastPosition() !== undefined && o.append !== true) {
          throw new UsageError(`${file} already holds events; pass --append to add the generated tickets to them`);
        }
        const written = await writeGeneratedLog(store, { tickets, seed, ...(start === undefined ? {} : { start }) }).catch((error: unknown) => {
          // The log's first event is always in its first batch, so a seed written before is refused before anything is stored.
          if (error instanceof DuplicateEventIdError) throw new UsageError(`${file} already holds the tickets of seed ${seed}; nothing was written`);
          throw error;
        });
        output.out(o.json ? toJson({ ...written, file }) : `generated ${written.tickets} tickets, ${written.events} events into ${file}`);
      } finally {
        await store.close();
      }
    });
}
