/**
 * Turns a policy's data into what clocks are counted with: compiled calendars, and for a
 * ticket's plan, category, severity and region, the target in milliseconds of working time.
 */
import { Duration } from 'luxon';
import type { Category, Plan, Severity } from '@caseflow/domain';
import type { BusinessCalendar } from './calendar.js';
import { ALWAYS_OPEN, compileCalendar } from './calendar.js';
import type { ClockDefinition, Period, SlaPolicy, WorkingTime } from './policy.js';
import { NO_COMMITMENT, TICKET_REGION, WALL_CLOCK, referencedRegion, regionCalendarName } from './policy.js';

/** A calendar together with the name clocks report it by ("24x7", "21vianet", "region:US"). */
export interface NamedCalendar {
  name: string;
  calendar: BusinessCalendar;
}

/** A target made concrete for one ticket. `ms` is null for "no commitment". */
export interface ResolvedTarget {
  ms: number | null;
  calendar: NamedCalendar;
}

/** The facts of a ticket that choose its target. */
export interface TargetKey {
  plan: Plan;
  category: Category;
  severity: Severity;
  region: string;
}

interface CompiledPolicy {
  calendars: Map<string, BusinessCalendar>;
  regions: Map<string, BusinessCalendar>;
}

// Policies are immutable data, so each one's calendars are compiled once, however often clocks are derived.
const compiledPolicies = new WeakMap<SlaPolicy, CompiledPolicy>();

function compiled(policy: SlaPolicy): CompiledPolicy {
  let result = compiledPolicies.get(policy);
  if (result === undefined) {
    const compileAll = (specs: Record<string, unknown>) =>
      new Map(Object.entries(specs).map(([name, spec]) => [name, compileCalendar(spec)] as const));
    result = { calendars: compileAll(policy.calendars), regions: compileAll(policy.regions) };
    compiledPolicies.set(policy, result);
  }
  return result;
}

function regionCalendar(policy: SlaPolicy, region: string): NamedCalendar {
  const { regions } = compiled(policy);
  const listed = regions.get(region);
  if (listed !== undefined) return { name: regionCalendarName(region), calendar: listed };
  const fallback = regions.get(policy.fallbackRegion);
  if (fallback === undefined) throw new Error(`policy ${policy.id}@${policy.version} has no calendar for its fallback region ${policy.fallbackRegion}`);
  return { name: regionCalendarName(policy.fallbackRegion), calendar: fallback };
}

/** The calendar a reference names, for a ticket from `ticketRegion`. */
export function calendarFor(policy: SlaPolicy, reference: string, ticketRegion: string): NamedCalendar {
  if (reference === WALL_CLOCK) return { name: WALL_CLOCK, calendar: ALWAYS_OPEN };
  if (reference === TICKET_REGION) return regionCalendar(policy, ticketRegion);
  const region = referencedRegion(reference);
  if (region !== undefined) {
    if (!compiled(policy).regions.has(region)) throw new Error(`policy ${policy.id}@${policy.version} has no region ${region}`);
    return regionCalendar(policy, region);
  }
  const named = compiled(policy).calendars.get(reference);
  if (named === undefined) throw new Error(`policy ${policy.id}@${policy.version} has no calendar ${reference}`);
  return { name: reference, calendar: named };
}

/** Policies name a handful of durations; parsing them once matters when every ticket of a rebuild is timed. */
const durationMs = new Map<string, number>();

export function workingTimeMs(within: WorkingTime, calendar: BusinessCalendar): number {
  if (typeof within !== 'string') return within.businessDays * calendar.businessDayMs;
  let ms = durationMs.get(within);
  if (ms === undefined) {
    ms = Duration.fromISO(within).toMillis();
    durationMs.set(within, ms);
  }
  return ms;
}

/** Working time as an ISO 8601 duration in hours, which reads the same whatever form the policy used ("PT15H"). */
export function isoWorkingTime(ms: number): string {
  const iso = Duration.fromMillis(ms).shiftTo('hours', 'minutes', 'seconds', 'milliseconds').toISO();
  if (iso === null) throw new RangeError(`${ms} ms is not a duration`);
  return iso;
}

const isoTargets = new Map<number, string>();

/** A target's working time as `isoWorkingTime` writes it: policies hold a handful of targets, so each is written once however many tickets are timed. */
export function isoTarget(ms: number): string {
  let iso = isoTargets.get(ms);
  if (iso === undefined) {
    iso = isoWorkingTime(ms);
    isoTargets.set(ms, iso);
  }
  return iso;
}

export function targetFor(policy: SlaPolicy, clock: ClockDefinition, key: TargetKey): ResolvedTarget {
  const target = clock.targets[key.plan][key.category][key.severity];
  const calendar = calendarFor(policy, target.calendar, key.region);
  return { ms: target.within === NO_COMMITMENT ? null : workingTimeMs(target.within, calendar.calendar), calendar };
}

/** When a period (collaboration window, auto-close quiet period) that began at `from` ends. */
export function periodEnd(policy: SlaPolicy, period: Period, from: Date, ticketRegion: string): Date {
  const { calendar } = calendarFor(policy, period.calendar, ticketRegion);
  return calendar.add(from, workingTimeMs(period.within, calendar));
}
