import { randomUUID } from 'node:crypto';
import type { Command as Cli } from 'commander';
import { Option } from 'commander';
import type { RouteCommand } from '@caseflow/api';
import { Category, CloseReason, Plan, Severity } from '@caseflow/domain';
import type { HandleResult, HistoryEntry, TicketView } from '@caseflow/engine';
import { readHistory, readTicketAt, ticketView } from '@caseflow/engine';
import { clocks, pinnedPolicy } from '@caseflow/sla';
import type { GlobalOptions } from './context.js';
import { clockFrom, parseActor, parseInstant, withStore } from './context.js';
import { Refusal, UsageError } from './errors.js';
import type { Output } from './output.js';
import { describeClocks, describeHistory, describeServerClocks, describeTicket, toJson } from './output.js';
import type { ApiClient, CommandOptions } from './remote.js';
import { connect } from './remote.js';


type Options = Record<string, unknown> & GlobalOptions & { server?: string; token?: string };

const WORKFLOW_COMMANDS = [
  'triage',
  'request-info',
  'customer-reply',
  'downgrade',
  'resolve',
  'close',
  'reopen',
  'note',
  'assign',
  'escalate',
  'change-severity',
] as const;

/** Asked only with --server: the API package brings the whole HTTP stack, which local commands never need to load. */
async function isRouteCommand(name: string): Promise<boolean> {
  const { ROUTE_COMMANDS } = await import('@caseflow/api');
  return (ROUTE_COMMANDS as readonly string[]).includes(name);
}

const FROM_TENANT_DIRECTORY = "the server's tenant directory decides a tenant's plan, region and advanced agreement";
/** Options the server decides for itself, and why; each command refuses those it takes when --server is given. */
const SERVER_DECIDES = {
  now: 'the server keeps the time',
  as: 'the token says who acts',
  delegations: 'the token says who acts, and the tenant directory which delegations count',
  plan: FROM_TENANT_DIRECTORY,
  region: FROM_TENANT_DIRECTORY,
  advancedAgreement: FROM_TENANT_DIRECTORY,
  at: 'the API gives the clocks as they stand now (history --at gives the ticket as it was)',
} as const;
type ServerDecided = keyof typeof SERVER_DECIDES;

const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * With --server (or CASEFLOW_SERVER): the API client, once the options the server decides for
 * itself are refused. Without: undefined, and the command acts on the local store.
 */
function remote(cmd: Cli, o: Options, serverDecides: readonly ServerDecided[] = []): ApiClient | undefined {
  if (o.server === undefined) {
    if (cmd.getOptionValueSourceWithGlobals('token') === 'cli') {
      throw new UsageError('--token is for the API: give --server as well, or leave --token out to act on the local store');
    }
    return undefined;
  }
  for (const key of ['now', ...serverDecides] as const) {
    if (o[key] !== undefined) throw new UsageError(`${flagOf(key)} cannot be used with --server: ${SERVER_DECIDES[key]}`);
  }
  return connect(o.server, o.token);
}

/** Options only the local store needs: with --server the token and the tenant directory supply them. */
function requireLocally(cmd: Cli, o: Options, keys: readonly string[]): void {
  for (const key of keys) {
    if (o[key] !== undefined) continue;
    const flags = cmd.options.find((option) => option.attributeName() === key)?.flags ?? flagOf(key);
    throw new UsageError(`required option '${flags}' not specified`);
  }
}

function actorOptions(command: Cli): Cli {
  return command
    .option('--as <role:id@tenant>', 'who acts, e.g. customer-admin:alice@contoso or agent:bob@support (not with --server: the token says)')
    .option('--delegations <tenants>', 'for a partner: comma-separated tenants it holds delegated admin rights for')
    .option('--command-id <id>', 'idempotency key: sending the same id again changes nothing (default: a new UUID; with --server, the Idempotency-Key)');
}

/** Only the options the user gave: the domain's schema refuses any that do not belong to the command. */
function given(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

/** The fields a workflow command may carry, each given by the option of the same name. */
const WORKFLOW_FIELDS = ['severity', 'category', 'reason', 'text', 'owner', 'queue', 'level', 'visibility'] as const;

function parseLevel(value: string): number {
  const level = Number(value);
  if (!Number.isInteger(level)) throw new UsageError(`--level needs a whole number, not "${value}"`);
  return level;
}

function parseRevision(value: string): number {
  if (!/^[0-9]{1,15}$/.test(value)) throw new UsageError(`--if-match needs a revision, a whole number as ticket show prints it, not "${value}"`);
  return Number(value);
}

const commandOptions = (o: Options): CommandOptions => ({
  ...(o.commandId === undefined ? {} : { idempotencyKey: o.commandId as string }),
  ...(o.ifMatch === undefined ? {} : { ifMatch: o.ifMatch as number }),
});

interface Accepted {
  view: TicketView;
  repeated: boolean;
}

/** What the engine did with a command; a rejection is a refusal. */
function accepted(result: HandleResult): Accepted {
  if (!result.ok) throw new Refusal(result.rejection.code, result.rejection.message);
  const view = ticketView(result.state, result.revision);
  if (view === undefined) throw new Error('an accepted command left no ticket');
  return { view, repeated: result.repeated };
}

/** A ticket view, or a not_found refusal saying why there is none. */
function found(view: TicketView | undefined, whyNone: string): TicketView {
  if (view === undefined) throw new Refusal('not_found', whyNone);
  return view;
}

function report({ view, repeated }: Accepted, options: Options, output: Output, printIdOnly: boolean): void {
  if (options.json) output.out(toJson(view));
  else if (printIdOnly) output.out(view.id);
  else output.out(`${view.id}: ${view.state} (severity ${view.severity}, revision ${view.revision})${repeated ? ' — already done, nothing changed' : ''}`);
}

export function addTicketCommands(program: Cli, output: Output, globals: (cmd: Cli) => Options): void {
  const ticket = program.command('ticket').description('open, move and inspect tickets in the embedded store, or through the API with --server');

  actorOptions(
    ticket
      .command('open')
      .description('open a service request; prints the new ticket id')
      .option('--tenant <tenant>', "the customer organisation (with --server, a customer admin's own by default)")
      .addOption(new Option('--plan <plan>', 'the tenant plan (not with --server)').choices(Plan.options))
      .addOption(new Option('--category <category>').choices(Category.options).makeOptionMandatory())
      .addOption(new Option('--severity <severity>', 'A critical, B high, C non-critical').choices(Severity.options).makeOptionMandatory())
      .option('--region <region>', 'ISO country code, e.g. US (not with --server)')
      .requiredOption('--title <title>')
      .option('--description <text>')
      .option('--contact-email <email>')
      .option('--contact-phone <phone>')
      .addOption(new Option('--preferred-contact <method>').choices(['email', 'phone']).makeOptionMandatory())
      .requiredOption('--language <tag>', 'e.g. en, de, pl, zh-CN, zh-TW')
      .option('--advanced-agreement', 'the tenant has the advanced online service agreement (21Vianet severity A; not with --server)')
      .option('--related <ticket>', 'an earlier ticket this one follows up'),
  ).action(async (_opts: unknown, cmd: Cli) => {
    const o = globals(cmd);
    const request = given({
      category: o.category,
      severity: o.severity,
      title: o.title,
      description: o.description,
      contact: given({ email: o.contactEmail, phone: o.contactPhone, preferred: o.preferredContact }),
      language: o.language,
      relatedTicketId: o.related,
    });
    const api = remote(cmd, o, ['as', 'delegations', 'plan', 'region', 'advancedAgreement']);
    if (api !== undefined) {
      report(await api.open(given({ tenant: o.tenant, ...request }), commandOptions(o)), o, output, true);
      return;
    }
    requireLocally(cmd, o, ['tenant', 'plan', 'region', 'as']);
    const input = {
      type: 'open',
      commandId: o.commandId ?? randomUUID(),
      actor: parseActor(o.as as string, o.delegations as string | undefined),
      tenant: o.tenant,
      plan: o.plan,
      region: o.region,
      advancedAgreement: o.advancedAgreement === true,
      ...request,
    };
    await withStore(o, async (_store, engine) => report(accepted(await engine.handle(input)), o, output, true));
  });

  for (const name of WORKFLOW_COMMANDS) {
    actorOptions(
      ticket
        .command(`${name} <id>`)
        .description(`${name} a ticket`)
        .addOption(new Option('--severity <severity>').choices(Severity.options))
        .addOption(new Option('--category <category>').choices(Category.options))
        .option('--reason <reason>', `why; for close: ${CloseReason.options.join(', ')}`)
        .option('--text <text>', 'message, question, reply or resolution summary')
        .option('--owner <owner>')
        .option('--queue <queue>')
        .option('--level <n>', 'escalation level', parseLevel)
        .addOption(new Option('--visibility <visibility>', 'for notes').choices(['public', 'internal']))
        .option('--if-match <revision>', 'refuse unless the ticket is at this revision, as ticket show prints it', parseRevision),
    ).action(async (id: string, _opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const fields = given(Object.fromEntries(WORKFLOW_FIELDS.map((field) => [field, o[field]])));
      const api = remote(cmd, o, ['as', 'delegations']);
      if (api !== undefined) {
        if (!(await isRouteCommand(name))) throw new UsageError(`${name} is not a command the API takes (the SLA timer escalates); without --server it acts on the local store`);
        report(await api.command(id, name as RouteCommand, fields, commandOptions(o)), o, output, false);
        return;
      }
      requireLocally(cmd, o, ['as']);
      const input = {
        type: name,
        commandId: o.commandId ?? randomUUID(),
        ticketId: id,
        actor: parseActor(o.as as string, o.delegations as string | undefined),
        ...fields,
      };
      const ifMatch = o.ifMatch === undefined ? {} : { expectedRevision: BigInt(o.ifMatch as number) };
      await withStore(o, async (_store, engine) => report(accepted(await engine.handle(input, ifMatch)), o, output, false));
    });
  }

  const printTicket = (view: TicketView, json: boolean | undefined) => output.out(json ? toJson(view) : describeTicket(view));
  const printHistory = (entries: HistoryEntry[], json: boolean | undefined) => output.out(json ? toJson(entries) : describeHistory(entries));

  ticket
    .command('show <id>')
    .description('the ticket as it is now')
    .action(async (id: string, _opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const api = remote(cmd, o);
      if (api !== undefined) {
        printTicket(await api.ticket(id), o.json);
        return;
      }
      await withStore(o, async (_store, engine) => {
        const loaded = await engine.load(id);
        printTicket(found(loaded.revision === undefined ? undefined : ticketView(loaded.state, loaded.revision), `no ticket ${id}`), o.json);
      });
    });

  ticket
    .command('history <id>')
    .description('every event with the state after it, or with --at the ticket as it was then')
    .option('--at <instant>', 'show the ticket as of this ISO instant')
    .action(async (id: string, _opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const at = o.at === undefined ? undefined : parseInstant(o.at as string, '--at');
      const api = remote(cmd, o);
      if (api !== undefined) {
        if (at !== undefined) printTicket(await api.ticketAt(id, at), o.json);
        else printHistory(await api.history(id), o.json);
        return;
      }
      await withStore(o, async (store) => {
        if (at !== undefined) {
          printTicket(found(await readTicketAt(store, id, at), `ticket ${id} did not exist at ${at.toISOString()}`), o.json);
          return;
        }
        const entries = await readHistory(store, id);
        if (entries.length === 0) throw new Refusal('not_found', `no ticket ${id}`);
        printHistory(entries, o.json);
      });
    });

  ticket
    .command('clocks <id>')
    .description("the ticket's SLA clocks under the policy pinned on it, now (or --now) or as of --at")
    .option('--at <instant>', 'the clocks as they stood at this ISO instant (not with --server)')
    .action(async (id: string, _opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const api = remote(cmd, o, ['at']);
      if (api !== undefined) {
        const { clocks: running } = await api.ticket(id);
        output.out(o.json ? toJson(running) : describeServerClocks(running));
        return;
      }
      const at = o.at === undefined ? clockFrom(o).now() : parseInstant(o.at as string, '--at');
      await withStore(o, async (store, _engine, policies) => {
        const events = (await readHistory(store, id)).map((entry) => entry.event);
        const opened = events[0];
        if (opened === undefined || opened.type !== 'TicketOpened') throw new Refusal('not_found', `no ticket ${id}`);
        const running = clocks(events, pinnedPolicy(opened.data.policy, policies), at);
        output.out(o.json ? toJson(running) : describeClocks(running, at));
      });
    });
}
