/**
 * The analyst's commands: `replay ticket|rebuild`, `report sla|states` and `export events|tickets`.
 * Everything is read from the embedded store and its read model; nothing here appends an event.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Command as Cli } from 'commander';
import { Option } from 'commander';
import { SingleBar } from 'cli-progress';
import type { Report, ReportWindow, TicketFacts } from '@caseflow/analytics';
import { GROUP_BY, REPORT_FORMATS, parseGroupBy, parseReportFormat, renderReport } from '@caseflow/analytics';
import type { RebuildProgress } from '@caseflow/readmodel';
import { rebuildTicketList } from '@caseflow/readmodel';
import type { ExportFormat, ReportRequest, ReportSource } from '@caseflow/replay';
import { EXPORT_FORMATS, exportEvents, exportTickets, lastEventOf, pinnedFacts, renderTimeline, replayTicket, slaReportFor, statesReportFor } from '@caseflow/replay';
import type { GlobalOptions } from './context.js';
import { parseInstant, storeFile, withStore } from './context.js';
import { UsageError } from './errors.js';
import type { Output } from './output.js';
import { readPolicy } from './policies.js';

type Options = Record<string, unknown> & GlobalOptions;

/** The store under --data, open for the length of one command, with the policies its tickets may have pinned. */
async function withSource<T>(options: GlobalOptions, work: (source: Required<ReportSource>) => Promise<T>): Promise<T> {
  const file = storeFile(options.data);
  // Opening would create an empty store (and read-model tables) where a mistyped --data points.
  if (!existsSync(file)) throw new UsageError(`no caseflow store at ${file}: check --data`);
  return withStore(options, (store, _engine, policies) => work({ file, store, policies }));
}

/** A report's arguments that analytics refuses (an empty window) are the caller's mistake: exit 2, nothing written. */
async function asUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

/** An optional instant option's value, where given. */
const optionalInstant = (value: unknown, option: string): Date | undefined => (value === undefined ? undefined : parseInstant(value as string, option));

/** --from and --to, each where given; when both are, --from must come before --to. */
function windowEnds(o: Options): { from?: Date; to?: Date } {
  const from = optionalInstant(o.from, '--from');
  const to = optionalInstant(o.to, '--to');
  if (from !== undefined && to !== undefined && from >= to) throw new UsageError(`--from (${o.from as string}) must be before --to (${o.to as string})`);
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

/** A report's window; commander requires its --from and --to. */
function reportWindow(o: Options): ReportRequest {
  const { from, to } = windowEnds(o);
  const asOf = optionalInstant(o.asOf, '--as-of');
  return { from: from as Date, to: to as Date, ...(asOf === undefined ? {} : { asOf }) };
}

/** Where bulk output goes: the terminal's stdout when the CLI runs as a program, else (tests) the output's lines. */
function sink(output: Output, file: string | undefined): { stream: NodeJS.WritableStream; close(): Promise<void> } {
  if (file !== undefined) {
    const stream = createWriteStream(file);
    return { stream, close: async () => { stream.end(); await finished(stream); } };
  }
  if (output.stdout !== undefined) return { stream: output.stdout, close: () => Promise.resolve() };
  let text = '';
  const collect = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream: collect, close: () => Promise.resolve(output.out(text.replace(/\n$/, ''))) };
}

/** The report, and its chart with --chart; both are computed before either is written, so that a chart refused (no tickets to draw) leaves nothing written. */
async function writeReport(output: Output, report: Report, o: Options, chart: string | undefined): Promise<void> {
  // Commander has checked --format against the choices and defaults it to table.
  const chosen = o.json === true ? 'json' : parseReportFormat(o.format as string);
  const out = sink(output, o.output as string | undefined);
  out.stream.write(renderReport(report, chosen));
  await out.close();
  if (chart !== undefined) await writeFile(o.chart as string, chart);
}

function progressReporter(output: Output): { onProgress: (progress: RebuildProgress) => void; stop: () => void } {
  const terminal = output.stderr;
  if (terminal?.isTTY === true) {
    const bar = new SingleBar({ stream: terminal, format: 'rebuilding generation {generation} [{bar}] {percentage}% | {value}/{total} events | {tickets} tickets | eta {eta_formatted}' });
    let started = false;
    return {
      onProgress: (p) => {
        if (!started) bar.start(p.totalEvents ?? p.events, p.events, { generation: p.generation, tickets: p.tickets });
        started = true;
        bar.update(p.events, { tickets: p.tickets });
      },
      stop: () => bar.stop(),
    };
  }
  // Not a terminal (a log, CI): a plain line at most every 10 %.
  let lastTenth = -1;
  return {
    onProgress: (p) => {
      const tenth = p.totalEvents === undefined || p.totalEvents === 0 ? 0 : Math.floor((p.events / p.totalEvents) * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      const of = p.totalEvents === undefined ? '' : ` of ${p.totalEvents}`;
      output.err(`rebuild: generation ${p.generation}: ${p.events}${of} events, ${p.tickets} tickets`);
    },
    stop: () => undefined,
  };
}

export function addReplayCommands(program: Cli, output: Output, globals: (cmd: Cli) => Options): void {
  const replay = program.command('replay').description('replay ticket histories from the event log');
  replay
    .command('ticket <id>')
    .description("a ticket's timeline: each event with its actor, the state and severity after it, and the SLA clocks at that point")
    .option('--at <instant>', 'only what had happened by this ISO instant, and the ticket as it stood then')
    .action(async (id: string, _opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const at = optionalInstant(o.at, '--at');
      await withSource(o, async ({ store, policies }) => {
        const replayed = await replayTicket(store, id, { policies, ...(at === undefined ? {} : { at }) });
        if (replayed === undefined) throw new UsageError(`no ticket ${id} in ${storeFile(o.data)}`);
        output.out(renderTimeline(replayed, o.json === true ? 'json' : 'table').replace(/\n$/, ''));
      });
    });
  replay
    .command('rebuild')
    .description('rebuild every read model (the ticket list and the report facts) from the log; the live ones serve until the swap')
    .option('--from <position>', 'refold only the tickets with events after this log position; the rest is copied from the live read model')
    .action(async (_opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      if (o.from !== undefined && !/^\d+$/.test(o.from as string)) throw new UsageError(`--from needs a log position (a whole number), not "${o.from as string}"`);
      await withSource(o, async ({ file, store, policies }) => {
        const interrupt = new AbortController();
        const onSignal = () => interrupt.abort();
        process.once('SIGINT', onSignal);
        const progress = progressReporter(output);
        try {
          const result = await rebuildTicketList({
            file,
            store,
            policies,
            ...(o.from === undefined ? {} : { from: o.from as string }),
            signal: interrupt.signal,
            onProgress: progress.onProgress,
          });
          progress.stop();
          const summary = `${result.events} events, ${result.tickets} tickets${result.resumed ? ' (resumed)' : ''}`;
          if (result.interrupted) {
            output.out(`rebuild interrupted after ${summary}; generation ${result.generation} is not live yet: run "caseflow replay rebuild" again to resume`);
          } else {
            output.out(`rebuilt generation ${result.generation} from ${summary}; it is live (it replaced generation ${result.replaced})`);
          }
        } finally {
          process.off('SIGINT', onSignal);
        }
      });
    });

  const report = program.command('report').description('reports over every ticket opened in a window, from the log');
  const reportOptions = (command: Cli) =>
    command
      .requiredOption('--from <instant>', 'tickets opened at or after this ISO instant')
      .requiredOption('--to <instant>', '...and before this one')
      .option('--as-of <instant>', "what the figures are as of (default: the log's last event, so the same log always gives the same report)")
      .addOption(new Option('--format <format>', 'table, csv or json').choices([...REPORT_FORMATS]).default('table'))
      .option('--output <file>', 'write the report to this file instead of stdout')
      .option('--chart <file.svg>', 'also draw the report as an SVG chart into this file');
  reportOptions(
    report
      .command('sla')
      .description('initial responses met and breached, response times, waits, downgrades, reopens and escalations')
      .addOption(new Option('--group-by <key>', 'one row per plan, severity, tenant, region or month').choices([...GROUP_BY]))
      .option('--policy <file>', 'what-if: replay every history under this SLA policy too, side by side with the actual figures'),
  ).action(async (_opts: unknown, cmd: Cli) => {
    const o = globals(cmd);
    const window = reportWindow(o);
    // Commander has checked --group-by against the choices.
    const groupBy = o.groupBy === undefined ? undefined : parseGroupBy(o.groupBy as string);
    const whatIf = o.policy === undefined ? undefined : await readPolicy(o.policy as string);
    await withSource(o, async (source) => {
      const facts = await pinnedFacts(source);
      const result = await asUsage(() => slaReportFor(source, { ...window, ...(groupBy === undefined ? {} : { groupBy }), ...(whatIf === undefined ? {} : { whatIf }) }, facts));
      await writeReport(output, result, o, o.chart === undefined ? undefined : await drawChart(facts, window, 'breach-rate'));
    });
  });
  reportOptions(report.command('states').description('time in each state (median and p90 per severity) and the flow between states')).action(
    async (_opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const window = reportWindow(o);
      await withSource(o, async (source) => {
        const facts = await pinnedFacts(source);
        const result = await asUsage(() => statesReportFor(source, window, facts));
        await writeReport(output, result, o, o.chart === undefined ? undefined : await drawChart(facts, window, 'cumulative-flow'));
      });
    },
  );

  const exporting = program.command('export').description('stream the log or the tickets out as NDJSON or CSV');
  const exportCommand = (what: 'events' | 'tickets', description: string) =>
    exporting
      .command(what)
      .description(description)
      .addOption(new Option('--format <format>', 'ndjson or csv').choices([...EXPORT_FORMATS]).default('ndjson'))
      .option('--from <instant>', what === 'events' ? 'events that occurred at or after this ISO instant' : 'tickets opened at or after this ISO instant')
      .option('--to <instant>', '...and before this one')
      .option('--output <file>', 'write to this file instead of stdout')
      .action(async (_opts: unknown, cmd: Cli) => {
        const o = globals(cmd);
        const options = { format: o.format as ExportFormat, ...windowEnds(o) };
        await withSource(o, async (source) => {
          const out = sink(output, o.output as string | undefined);
          try {
            if (what === 'events') await exportEvents(source.store, options, out.stream);
            else await exportTickets(source, options, out.stream);
          } finally {
            await out.close();
          }
        });
      });
  exportCommand('events', 'every ticket event, upcast to its current version, in log order');
  exportCommand('tickets', "one row per ticket: its current state and report facts under its pinned policy");
}

/** The report's chart as SVG text, from the facts the report was computed from; a RangeError (nothing to draw) is a usage error. */
async function drawChart(facts: readonly TicketFacts[], window: ReportRequest, kind: 'breach-rate' | 'cumulative-flow'): Promise<string> {
  const chartWindow: ReportWindow = { from: window.from, to: window.to, asOf: window.asOf ?? lastEventOf(facts) };
  // Loaded only when a chart is asked for: vega is large, and every other command starts faster without it.
  const { breachRateChart, cumulativeFlowChart } = await import('@caseflow/charts');
  return asUsage(() => (kind === 'breach-rate' ? breachRateChart(facts, chartWindow) : cumulativeFlowChart(facts, chartWindow)));
}
