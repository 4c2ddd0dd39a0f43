import type { Command as Cli } from 'commander';
import { Option } from 'commander';
import type { GlobalOptions } from './context.js';
import type { Output } from './output.js';
import type { ServerOptions } from './run-server.js';

type Options = Record<string, unknown> & GlobalOptions;

export function addServerCommands(program: Cli, output: Output, globals: (cmd: Cli) => Options): void {
  const serverOptions = (command: Cli) =>
    command
      .addOption(new Option('--port <n>', 'HTTP port of the API').default(process.env.CASEFLOW_PORT ?? '8080'))
      .option('--host <address>', 'address the API listens on', '127.0.0.1')
      .option('--kafka <brokers>', 'comma-separated Kafka bootstrap servers instead of the in-process bus')
      .option('--eventstore <connection>', 'an EventStoreDB connection string instead of the SQLite store')
      .option('--tenants <file>', 'the tenant directory (JSON); dev mode creates one in the data directory');

  serverOptions(program.command('start'))
    .description('run the whole system in one process: API, relay, sla-timer and notifier, on embedded defaults')
    .option('--test-clock', 'time stands still (from --now, or now) until POST /v1/_clock moves it')
    .action(async (_opts: unknown, cmd: Cli) => (await import('./run-server.js')).runServer(undefined, globals(cmd) as Options & ServerOptions, output));

  serverOptions(program.command('serve <service>'))
    .description('run one service alone (api, relay, sla-timer or notifier), for production')
    .action(async (service: string, _opts: unknown, cmd: Cli) =>
      (await import('./run-server.js')).runServer(service, globals(cmd) as Options & ServerOptions, output),
    );
}
