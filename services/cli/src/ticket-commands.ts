import { randomUUID } from 'node:crypto';
import type { Command as Cli } from 'commander';
import { Option } from 'commander';
import { Category, CloseReason, Plan, Severity } from '@caseflow/domain';
import type { HandleResult, TicketView } from '@caseflow/engine';
import { readHistory, readTicketAt, ticketView } from '@caseflow/engine';
import { clocks, defaultPolicy, policyFor } from '@caseflow/sla';
import type { GlobalOptions } from './context.js';
import { UsageError, clockFrom, parseActor, parseInstant, withStore } from './context.js';
import type { Output } from './output.js';
import { describeClocks, describeHistory, describeRejection, describeTicket, toJson } from './output.js';

/** A refusal by the domain or the engine: exit 2 with one line naming the code. */
export class Refusal extends Error {
  override name = 'Refusal';
}

type Options = Record<string, unknown> & GlobalOptions;

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

function actorOptions(command: Cli): Cli {
  return command
    .requiredOption('--as <role:id@tenant>', 'who acts, e.g. customer-admin:alice@contoso or agent:bob@support')
    .option('--delegations <tenants>', 'for a partner: comma-separated tenants it holds delegated admin rights for')
    .option('--command-id <id>', 'idempotency key: sending the same id again changes nothing (default: a new UUID)');
}

/** Only the options the user gave: the domain's schema refuses any that do not belong to the command. */
function given(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

function parseLevel(value: string): number {
  const level = Number(value);
  if (!Number.isInteger(level)) throw new UsageError(`--level needs a whole number, not "${value}"`);
  return level;
}

function report(result: HandleResult, options: Options, output: Output, printIdOnly: boolean): void {
  if (!result.ok) throw new Refusal(describeRejection(result.rejection));
  const view = ticketView(result.state, result.revision);
  if (view === undefined) throw new Error('an accepted command left no ticket');
  if (options.json) output.out(toJson(view));
  else if (printIdOnly) output.out(view.id);
  else output.out(`${view.id}: ${view.state} (severity ${view.severity}, revision ${view.revision})${result.repeated ? ' — already done, nothing changed' : ''}`);
}

export function addTicketCommands(program: Cli, output: Output, globals: (cmd: Cli) => Options): void {
  const ticket = program.command('ticket').description('open, move and inspect tickets in the embedded store');

  actorOptions(
    ticket
      .command('open')
      .description('open a service request; prints the new ticket id')
      .requiredOption('--tenant <tenant>', 'the customer organisation')
      .addOption(new Option('--plan <plan>', 'the tenant plan').choices(Plan.options).makeOptionMandatory())
      .addOption(new Option('--category <category>').choices(Category.options).makeOptionMandatory())
      .addOption(new Option('--severity <severity>', 'A critical, B high, C non-critical').choices(Severity.options).makeOptionMandatory())
      .requiredOption('--region <region>', 'ISO country code, e.g. US')
      .requiredOption('--title <title>')
      .option('--description <text>')
      .option('--contact-email <email>')
      .option('--contact-phone <phone>')
      .addOption(new Option('--preferred-contact <method>').choices(['email', 'phone']).makeOptionMandatory())
      .requiredOption('--language <tag>', 'e.g. en, de, pl, zh-CN, zh-TW')
      .option('--advanced-agreement', 'the tenant has the advanced online service agreement (21Vianet severity A)')
      .option('--related <ticket>', 'an earlier ticket this one follows up'),
  ).action(async (_opts: unknown, cmd: Cli) => {
    const o = globals(cmd);
    const actor = parseActor(o.as as string, o.delegations as string | undefined);
    const input = given({
      type: 'open',
      commandId: o.commandId ?? randomUUID(),
      actor,
      tenant: o.tenant,
      plan: o.plan,
      region: o.region,
      advancedAgreement: o.advancedAgreement === true,
      category: o.category,
      severity: o.severity,
      title: o.title,
      description: o.description,
      contact: given({ email: o.contactEmail, phone: o.contactPhone, preferred: o.preferredContact }),
      language: o.language,
      relatedTicketId: o.related,
    });
    await withStore(o, async (_store, engine) => report(await engine.handle(input), o, output, true));
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
        .addOption(new Option('--visibility <visibility>', 'for notes').choices(['public', 'internal'])),
    ).action(async (id: string, _opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const input = given({
        type: name,
        commandId: o.commandId ?? randomUUID(),
        ticketId: id,
        actor: parseActor(o.as as string, o.delegations as string | undefined),
        severity: o.severity,
        category: o.category,
        reason: o.reason,
        text: o.text,
        owner: o.owner,
        queue: o.queue,
        level: o.level,
        visibility: o.visibility,
      });
      await withStore(o, async (_store, engine) => report(await engine.handle(input), o, output, false));
    });
  }

  /** A ticket view as JSON or text, or a not_found refusal saying why there is none. */
  const printTicket = (view: TicketView | undefined, whyNone: string, json: boolean | undefined) => {
    if (view === undefined) throw new Refusal(`refused (not_found): ${whyNone}`);
    output.out(json ? toJson(view) : describeTicket(view));
  };

  ticket
    .command('show <id>')
    .description('the ticket as it is now')
    .action(async (id: string, _opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      await withStore(o, async (_store, engine) => {
        const loaded = await engine.load(id);
        printTicket(loaded.revision === undefined ? undefined : ticketView(loaded.state, loaded.revision), `no ticket ${id}`, o.json);
      });
    });

  ticket
    .command('history <id>')
    .description('every event with the state after it, or with --at the ticket as it was then')
    .option('--at <instant>', 'show the ticket as of this ISO instant')
    .action(async (id: string, _opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const at = o.at === undefined ? undefined : parseInstant(o.at as string, '--at');
      await withStore(o, async (store) => {
        if (at !== undefined) {
          printTicket(await readTicketAt(store, id, at), `ticket ${id} did not exist at ${at.toISOString()}`, o.json);
          return;
        }
        const entries = await readHistory(store, id);
        if (entries.length === 0) throw new Refusal(`refused (not_found): no ticket ${id}`);
        output.out(o.json ? toJson(entries) : describeHistory(entries));
      });
    });

  ticket
    .command('clocks <id>')
    .description("the ticket's SLA clocks under the policy pinned on it, now (or --now) or as of --at")
    .option('--at <instant>', 'the clocks as they stood at this ISO instant')
    .action(async (id: string, _opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const at = o.at === undefined ? clockFrom(o).now() : parseInstant(o.at as string, '--at');
      await withStore(o, async (store) => {
        const events = (await readHistory(store, id)).map((entry) => entry.event);
        const opened = events[0];
        if (opened === undefined || opened.type !== 'TicketOpened') throw new Refusal(`refused (not_found): no ticket ${id}`);
        const policy = policyFor(opened.data.policy, [defaultPolicy]) ?? defaultPolicy;
        const running = clocks(events, policy, at);
        output.out(o.json ? toJson(running) : describeClocks(running, at));
      });
    });
}
