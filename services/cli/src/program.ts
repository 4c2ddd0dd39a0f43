import type { Command as Cli } from 'commander';
import { Command, CommanderError, Option } from 'commander';
import { EventDecodingError } from '@caseflow/domain';
import type { GlobalOptions } from './context.js';
import { parseInstant } from './context.js';
import { Refusal, UsageError } from './errors.js';
import { runDemo } from './demo.js';
import { addDevCommands } from './dev-commands.js';
import type { Output } from './output.js';
import { addReplayCommands } from './replay-commands.js';
import { addServerCommands } from './server-commands.js';
import { addSlaCommands } from './sla-commands.js';
import { addTicketCommands } from './ticket-commands.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** Refusals and usage errors: the caller asked for something that cannot be done. Nothing was written. */
export const EXIT_REFUSED = 2;

type Options = Record<string, unknown> & GlobalOptions;

function buildProgram(output: Output): Cli {
  const program = new Command('caseflow')
    .description('caseflow: an event-sourced workflow engine for support service requests')
    .option('--data <dir>', 'the embedded store directory', './data')
    .option('--now <instant>', 'act as if it were this ISO instant (demos, tests, back-dated imports)')
    .option('--json', 'machine-readable output')
    .addOption(new Option('--server <url>', 'ticket commands act through the caseflow API at this URL instead of the local store').env('CASEFLOW_SERVER'))
    .addOption(new Option('--token <token>', 'with --server: the bearer token that says who you are').env('CASEFLOW_TOKEN'))
    // Commander's own usage errors become one line in the same shape as ours.
    .configureOutput({
      writeOut: (s) => output.out(s.trimEnd()),
      writeErr: (s) => output.err(`caseflow: ${s.trim().replace(/^error: /, '')} (see --help)`),
    })
    .exitOverride();

  const globals = (cmd: Cli): Options => {
    const options = cmd.optsWithGlobals<Options>();
    if (options.now !== undefined) parseInstant(options.now, '--now');
    return options;
  };

  addTicketCommands(program, output, globals);
  addSlaCommands(program, output, globals);
  addReplayCommands(program, output, globals);
  addServerCommands(program, output, globals);
  addDevCommands(program, output, globals);
  program
    .command('demo')
    .description('walk one ticket through its whole life on the embedded store')
    .action(async (_opts: unknown, cmd: Cli) => runDemo(globals(cmd), output));
  for (const sub of allCommands(program)) sub.exitOverride().configureOutput(program.configureOutput());
  return program;
}

function allCommands(command: Cli): Cli[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Runs the CLI and returns its exit code; never throws, never exits the process itself. */
export async function run(argv: string[], output: Output): Promise<number> {
  const program = buildProgram(output);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they already printed what was asked for.
      return error.exitCode === 0 ? EXIT_OK : EXIT_REFUSED;
    }
    if (error instanceof UsageError) {
      output.err(`caseflow: ${error.message}`);
      return EXIT_REFUSED;
    }
    if (error instanceof Refusal) {
      output.err(`caseflow: ${error.message}`);
      return EXIT_REFUSED;
    }
    if (error instanceof EventDecodingError) {
      output.err(`caseflow: the store holds an event this version cannot read: ${error.message}`);
      return EXIT_FAILURE;
    }
    output.err(`caseflow: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILURE;
  }
}
