import { readFileSync } from 'node:fs';
import type { Command as Cli } from 'commander';
import { Option } from 'commander';
import { Category, Plan, Region, Severity } from '@caseflow/domain';
import type { BusinessCalendar, SlaPolicy } from '@caseflow/sla';
import {
  CalendarError,
  PolicyError,
  dueFor,
  compileCalendar,
  isoWorkingTime,
  loadPolicy,
  policyLabel,
  workingDurationMs,
} from '@caseflow/sla';
import type { GlobalOptions } from './context.js';
import { parseInstant } from './context.js';
import { UsageError } from './errors.js';
import { describeIssues, readPolicy } from './policies.js';
import type { Output } from './output.js';
import { toJson } from './output.js';

type Options = Record<string, unknown> & GlobalOptions;

/** `2026-11-23T08:30:00Z`: an ISO UTC instant, with milliseconds only when there are some. */
export function formatInstant(instant: Date): string {
  return instant.toISOString().replace('.000Z', 'Z');
}

/** `--calendar` is a file name or the calendar's JSON itself. */
function readCalendar(value: string): BusinessCalendar {
  let json: unknown;
  try {
    json = JSON.parse(/^\s*[{[]/.test(value) ? value : readFileSync(value, 'utf8'));
  } catch (error) {
    throw new UsageError(`--calendar needs a calendar as JSON or a JSON file: ${(error as Error).message}`);
  }
  try {
    return compileCalendar(json);
  } catch (error) {
    if (error instanceof CalendarError) throw new UsageError(`invalid calendar: ${describeIssues(error.issues)}`);
    throw error;
  }
}

function readDuration(value: string): number {
  const ms = workingDurationMs(value);
  if (ms === undefined) throw new UsageError(`--duration needs an ISO 8601 duration without years or months, such as PT15H or P2D, not "${value}"`);
  return ms;
}

/** Calendar arithmetic beyond the year 9999 is a request that cannot be met, not a failure. */
function withinCalendarRange<T>(compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

function describePolicy(policy: SlaPolicy): string {
  const lines = [
    `SLA policy ${policyLabel(policy)}`,
    `  warning at ${Math.round(policy.warningThreshold * 100)} % of a target; reopen window ${policy.reopenWindow}`,
    `  collaboration window ${JSON.stringify(policy.collaborationWindow.within)} on ${policy.collaborationWindow.calendar}; auto-close after ${JSON.stringify(policy.autoClose.within)} on ${policy.autoClose.calendar}`,
    `  severity A only where offered: highest per category ${JSON.stringify(policy.availability.highestByCategory)}; A needs the advanced agreement on ${policy.availability.severityARequiresAgreement.join(', ') || 'no plan'}`,
    `  regions: ${Object.entries(policy.regions).map(([region, spec]) => `${region} (${spec.zone})`).join(', ')}; unlisted regions use ${policy.fallbackRegion}`,
  ];
  for (const clock of policy.clocks) {
    lines.push(`  clock ${clock.name}: starts on ${clock.startedBy.join('/')}, fulfilled by ${clock.fulfilledBy.join('/')}, paused in ${clock.pausedIn.join('/') || 'no state'}`);
    for (const [plan, categories] of Object.entries(clock.targets)) {
      for (const [category, severities] of Object.entries(categories)) {
        const cells = Object.entries(severities).map(([severity, target]) => {
          const within = typeof target.within === 'string' ? target.within : `${target.within.businessDays} business day(s)`;
          return `${severity} ${within} (${target.calendar})`;
        });
        lines.push(`    ${plan.padEnd(10)} ${category.padEnd(9)} ${cells.join('   ')}`);
      }
    }
  }
  return lines.join('\n');
}

export function addSlaCommands(program: Cli, output: Output, globals: (cmd: Cli) => Options): void {
  const calendar = program.command('calendar').description('business-calendar arithmetic');
  calendar
    .command('add')
    .description('the instant a duration of working time after --from ends')
    .requiredOption('--calendar <file or JSON>', 'a calendar: { "zone", "hours": { "mon": [["09:00","17:00"]], ... }, "holidays": [...] }')
    .requiredOption('--from <instant>', 'ISO 8601 instant')
    .requiredOption('--duration <duration>', 'ISO 8601 duration of working time, e.g. PT15H')
    .action((_opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const from = parseInstant(o.from as string, '--from');
      const duration = readDuration(o.duration as string);
      const calendarOfHours = readCalendar(o.calendar as string);
      const result = formatInstant(withinCalendarRange(() => calendarOfHours.add(from, duration)));
      output.out(o.json ? toJson({ from: formatInstant(from), duration: o.duration, result }) : result);
    });
  calendar
    .command('between')
    .description('the working time between two instants, as an ISO 8601 duration')
    .requiredOption('--calendar <file or JSON>', 'a calendar, as for add')
    .requiredOption('--from <instant>', 'ISO 8601 instant')
    .requiredOption('--to <instant>', 'ISO 8601 instant')
    .action((_opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const from = parseInstant(o.from as string, '--from');
      const to = parseInstant(o.to as string, '--to');
      const ms = readCalendar(o.calendar as string).between(from, to);
      const duration = isoWorkingTime(ms);
      output.out(o.json ? toJson({ from: formatInstant(from), to: formatInstant(to), duration, milliseconds: ms }) : duration);
    });

  const sla = program.command('sla').description('the SLA policy: targets, deadlines, validation');
  sla
    .command('due')
    .description('when the first response to a request opened at --opened is due')
    .addOption(new Option('--plan <plan>').choices(Plan.options).makeOptionMandatory())
    .addOption(new Option('--severity <severity>').choices(Severity.options).makeOptionMandatory())
    .addOption(new Option('--category <category>').choices(Category.options).makeOptionMandatory())
    .requiredOption('--region <region>', 'ISO country code, e.g. US')
    .requiredOption('--opened <instant>', 'ISO 8601 instant')
    .option('--advanced-agreement', 'the tenant has the advanced online service agreement (21Vianet severity A)')
    .option('--policy <file>', 'an SLA policy file (default: the built-in policy from the seeds)')
    .action(async (_opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const region = Region.safeParse(o.region);
      if (!region.success) throw new UsageError(`--region needs an ISO country code such as US, not "${String(o.region)}"`);
      const opened = parseInstant(o.opened as string, '--opened');
      const policy = await readPolicy(o.policy as string | undefined);
      const query = {
        plan: o.plan as Plan,
        severity: o.severity as Severity,
        category: o.category as Category,
        region: region.data,
        advancedAgreement: o.advancedAgreement === true,
        opened,
      };
      const answer = withinCalendarRange(() => dueFor(query, policy));
      if (!answer.ok) throw new UsageError(`refused (severity_not_allowed): ${answer.reason} (policy ${answer.policy})`);
      const dueAt = answer.dueAt === null ? null : formatInstant(answer.dueAt);
      output.out(JSON.stringify({ dueAt, target: answer.target, calendar: answer.calendar, policy: answer.policy }));
    });

  const policy = sla.command('policy').description('show or check SLA policies');
  policy
    .command('show')
    .description('the built-in policy (or --policy): readable, or --json to save, edit and pass back with --policy')
    .option('--policy <file>', 'an SLA policy file')
    .action(async (_opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      const shown = await readPolicy(o.policy as string | undefined);
      output.out(o.json ? JSON.stringify(shown, null, 2) : describePolicy(shown));
    });
  policy
    .command('check <file>')
    .description('validate a policy file, naming each problem with its path')
    .action(async (file: string, _opts: unknown, cmd: Cli) => {
      const o = globals(cmd);
      let checked: SlaPolicy;
      try {
        checked = await loadPolicy(file);
      } catch (error) {
        if (!(error instanceof PolicyError)) throw error;
        const problems = error.issues.length === 0 ? [error.message] : error.issues.map((i) => `${i.path.join('.') || '(policy)'}: ${i.message}`);
        throw new UsageError(`${file} is not a valid SLA policy:\n${problems.map((p) => `  ${p}`).join('\n')}`);
      }
      output.out(o.json ? toJson({ ok: true, policy: policyLabel(checked) }) : `${file}: valid SLA policy ${policyLabel(checked)}`);
    });
}
