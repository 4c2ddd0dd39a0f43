/**
 * The SLA policy: plain data (JSON), validated here. A policy says which severities each plan and
 * category may have, which clocks run on a ticket and their targets, the business calendars the
 * targets are counted on, and the thresholds and windows the SLA worker acts on.
 *
 *   {
 *     "id": "m365-default", "version": 1,
 *     "calendars": { "21vianet": { "zone": "Asia/Shanghai", "hours": { "mon": [["09:00", "24:00"]], ... } } },
 *     "regions": { "US": { "zone": "America/New_York", "hours": { ... } }, ... },
 *     "fallbackRegion": "US",
 *     "availability": { "highestByCategory": { "technical": "A", ... }, "severityARequiresAgreement": ["21vianet"], "plansWithoutSeverityA": [] },
 *     "warningThreshold": 0.75,
 *     "collaborationWindow": { "within": { "businessDays": 2 }, "calendar": "region" },
 *     "autoClose": { "within": "P7D", "calendar": "24x7" },
 *     "reopenWindow": "P14D",
 *     "clocks": [{
 *       "name": "initial-response",
 *       "startedBy": ["TicketOpened", "TicketReopened"], "fulfilledBy": ["TicketTriaged"],
 *       "stoppedBy": ["TicketClosed"], "pausedIn": ["awaitingCustomer", "downgraded"],
 *       "targets": { "<plan>": { "<category>": { "A": { "within": "PT1H", "calendar": "24x7" }, ... } } }
 *     }]
 *   }
 *
 * Working time ("within") is one of:
 *   - an ISO 8601 duration without years or months, counted as working time on the calendar
 *     ("PT15H" on the 21vianet calendar is one 09:00–24:00 day; "P7D" on 24x7 is a week);
 *   - `{ "businessDays": n }`: n times the calendar's business day (its `businessDayMs`);
 *   - for targets only, "no-commitment": no deadline and no timer, but the time is still measured.
 * A calendar is named by one of:
 *   - "24x7": the wall clock;
 *   - "region": the business hours of the ticket's region (`fallbackRegion`'s for unlisted regions);
 *   - "region:CN": the business hours of that region, whatever the ticket's region;
 *   - a key of `calendars`.
 */
import { Duration } from 'luxon';
import { z } from 'zod';
import { Category, DecisionPolicy, LIFECYCLE_STATES, Plan, Region, Severity, TICKET_EVENT_TYPES } from '@caseflow/domain';
import { CalendarSpec } from './calendar.js';

export const WALL_CLOCK = '24x7';
export const TICKET_REGION = 'region';
const REGION_PREFIX = 'region:';
export const NO_COMMITMENT = 'no-commitment';

/** The calendar name of a region's business hours, as clocks and answers report it. */
export const regionCalendarName = (region: string) => `${REGION_PREFIX}${region}`;

/** The region a "region:XX" reference names, or undefined for any other reference. */
export function referencedRegion(calendar: string): string | undefined {
  return calendar.startsWith(REGION_PREFIX) ? calendar.slice(REGION_PREFIX.length) : undefined;
}

const CalendarName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a calendar name is lower-case letters, digits and dashes')
  .refine((name) => name !== WALL_CLOCK && name !== TICKET_REGION, 'this name is reserved (24x7 and region are built in)');

const CalendarRef = z
  .string()
  .regex(
    /^(region:[A-Z]{2}|[a-z0-9][a-z0-9-]{0,62})$/,
    'a calendar is "24x7", "region", "region:XX" (a region code) or the name of one of the policy\'s calendars',
  );

/**
 * Milliseconds of an ISO 8601 duration read as working time, or undefined when it is not one.
 * Years and months have no fixed length, so as working time they would mean nothing exact.
 */
export function workingDurationMs(text: string): number | undefined {
  const duration = Duration.fromISO(text);
  const exact = duration.isValid && duration.years === 0 && duration.quarters === 0 && duration.months === 0;
  return exact && duration.toMillis() >= 0 ? duration.toMillis() : undefined;
}

const isWorkingDuration = (text: string) => (workingDurationMs(text) ?? 0) > 0;

const IsoWorkingDuration = z
  .string()
  .refine(isWorkingDuration, 'an ISO 8601 duration longer than zero, without years or months, such as PT1H or P7D');
const BusinessDays = z.object({ businessDays: z.number().int().positive() }).strict();

/** An amount of working time on some calendar: an ISO duration or a number of business days. */
export const WorkingTime = z.union([IsoWorkingDuration, BusinessDays], {
  error: 'working time is an ISO 8601 duration such as "PT1H", or { "businessDays": n }',
});
export type WorkingTime = z.infer<typeof WorkingTime>;

/** A span of working time on a calendar, such as the collaboration window. */
export const Period = z.object({ within: WorkingTime, calendar: CalendarRef }).strict();
export type Period = z.infer<typeof Period>;

/** What a clock promises for one plan, category and severity. */
export const Target = z
  .object({
    within: z.union([z.literal(NO_COMMITMENT), IsoWorkingDuration, BusinessDays], {
      error: 'a target is an ISO 8601 duration such as "PT1H", { "businessDays": n }, or "no-commitment"',
    }),
    calendar: CalendarRef,
  })
  .strict();
export type Target = z.infer<typeof Target>;

/** Every plan × category × severity has a target, also where availability forbids the severity (it is then unused). */
export const TargetTable = z.record(Plan, z.record(Category, z.record(Severity, Target)));
export type TargetTable = z.infer<typeof TargetTable>;

const EventType = z.enum(TICKET_EVENT_TYPES);
const LifecycleState = z.enum(LIFECYCLE_STATES);

/**
 * One SLA clock, as data. It runs at most once per response cycle (the first cycle, then one
 * per reopen): the first of its `startedBy` events in a cycle starts it, a `fulfilledBy` event
 * fulfils it, a `stoppedBy` event (or the next reopen) ends it unfulfilled, and it does not tick
 * while the ticket is in one of the `pausedIn` states.
 */
export const ClockDefinition = z
  .object({
    /** As escalation events name it (`TicketEscalated.data.clock`). */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,99}$/, 'a clock name is lower-case letters, digits and dashes'),
    startedBy: z.array(EventType).min(1),
    fulfilledBy: z.array(EventType).min(1),
    stoppedBy: z.array(EventType),
    pausedIn: z.array(LifecycleState),
    targets: TargetTable,
  })
  .strict();
export type ClockDefinition = z.infer<typeof ClockDefinition>;

const SlaPolicyFields = z
  .object({
    id: DecisionPolicy.shape.id,
    version: DecisionPolicy.shape.version,
    /** Named business calendars that targets and windows may refer to. */
    calendars: z.record(CalendarName, CalendarSpec),
    /** Business hours per customer region, in the region's zone. */
    regions: z.record(Region, CalendarSpec),
    /** Whose business hours a ticket from a region not listed in `regions` is counted on. */
    fallbackRegion: Region,
    /** Which severities each plan and category may have; `decide` enforces it. */
    availability: DecisionPolicy.shape.severity,
    /** The fraction of a target after which the SLA worker warns (escalation level 1). */
    warningThreshold: z.number().gt(0).lt(1),
    /** How long a ticket above the lowest severity waits for the customer before it is downgraded. */
    collaborationWindow: Period,
    /** How long a resolved ticket stays quiet before it is closed automatically. */
    autoClose: Period,
    /** How long after closing the customer may still reopen; wall clock, from the close. */
    reopenWindow: DecisionPolicy.shape.reopenWindow,
    /** The ticket's clocks. The first is the one `dueFor` answers for (the first response). */
    clocks: z.array(ClockDefinition).min(1),
  })
  .strict();

type Issue = { path: (string | number)[]; message: string };

/** The checks that span fields (calendars check themselves): every name a policy uses must mean something. */
function crossFieldIssues(policy: z.infer<typeof SlaPolicyFields>): Issue[] {
  const issues: Issue[] = [];
  const checkCalendar = (calendar: string, path: (string | number)[]) => {
    if (calendar === WALL_CLOCK || calendar === TICKET_REGION) return;
    const region = referencedRegion(calendar);
    if (region !== undefined) {
      if (policy.regions[region] === undefined) issues.push({ path, message: `region ${region} is not one of the policy's regions` });
    } else if (policy.calendars[calendar] === undefined) {
      issues.push({ path, message: `${calendar} is not one of the policy's calendars (${Object.keys(policy.calendars).join(', ') || 'none'})` });
    }
  };
  if (policy.regions[policy.fallbackRegion] === undefined) {
    issues.push({ path: ['fallbackRegion'], message: `region ${policy.fallbackRegion} is not one of the policy's regions` });
  }
  checkCalendar(policy.collaborationWindow.calendar, ['collaborationWindow', 'calendar']);
  checkCalendar(policy.autoClose.calendar, ['autoClose', 'calendar']);

  const seen = new Set<string>();
  policy.clocks.forEach((clock, index) => {
    if (seen.has(clock.name)) issues.push({ path: ['clocks', index, 'name'], message: `another clock is already named ${clock.name}` });
    seen.add(clock.name);
    for (const [plan, byCategory] of Object.entries(clock.targets)) {
      for (const [category, bySeverity] of Object.entries(byCategory)) {
        for (const [severity, target] of Object.entries(bySeverity)) {
          checkCalendar(target.calendar, ['clocks', index, 'targets', plan, category, severity, 'calendar']);
        }
      }
    }
  });
  return issues;
}

/** A valid SLA policy. Parse with `parsePolicy` for errors that name each problem's path. */
export const SlaPolicy = SlaPolicyFields.superRefine((policy, context) => {
  for (const issue of crossFieldIssues(policy)) context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});
export type SlaPolicy = z.infer<typeof SlaPolicy>;

/** An invalid policy: one issue per problem, each with the path of the offending value. */
export class PolicyError extends Error {
  constructor(
    message: string,
    readonly issues: Issue[],
  ) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** `clocks[0].targets.business` — how paths read in messages. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`)).join('') || '(policy)';
}

/** Validates a policy; throws a PolicyError listing every problem by its path. */
export function parsePolicy(input: unknown): SlaPolicy {
  const parsed = SlaPolicy.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((issue): Issue[] => {
    const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
    // zod reports unknown keys on their parent; the offending key's own path is more useful.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: 'not a field of an SLA policy here' }));
    return [{ path, message: issue.message.endsWith('received undefined') ? 'required' : issue.message }];
  });
  const lines = issues.map((issue) => `  ${formatPath(issue.path)}: ${issue.message}`);
  throw new PolicyError(`invalid SLA policy:\n${lines.join('\n')}`, issues);
}

/** The slice of the policy the domain's `decide` reads, so both enforce the same data. */
export function decisionPolicyOf(policy: SlaPolicy): DecisionPolicy {
  return { id: policy.id, version: policy.version, reopenWindow: policy.reopenWindow, severity: policy.availability };
}

/** The policy a ticket pinned when it opened (`TicketOpened.data.policy`), among those known. */
export function policyFor(ref: { id: string; version: number }, policies: Iterable<SlaPolicy>): SlaPolicy | undefined {
  for (const policy of policies) if (policy.id === ref.id && policy.version === ref.version) return policy;
  return undefined;
}

/** `m365-default@1`: how a policy is named in answers and messages. */
export const policyLabel = (policy: { id: string; version: number }) => `${policy.id}@${policy.version}`;
