/**
 * Seeded, realistic ticket histories for analysts to replay: the whole log as a live system would
 * have written it, every ticket's events interleaved in the order they occurred. Pure: no I/O, no
 * clock, no randomness but the seed's.
 */
import type { TicketEvent } from '@caseflow/domain';
import { reopenWindowMillis } from '@caseflow/domain';
import type { SlaPolicy } from '@caseflow/sla';
import { decisionPolicyOf, defaultPolicy } from '@caseflow/sla';
import { MinHeap } from './min-heap.js';
import type { Tenant } from './population.js';
import { makeStaff, makeTenants } from './population.js';
import { Random } from './random.js';
import type { World } from './ticket-run.js';
import { TicketRun } from './ticket-run.js';

export interface GenerateOptions {
  /** How many tickets to open in all, follow-ups included. */
  tickets: number;
  /** Any safe integer: the same seed gives the same log, event ids included. */
  seed: number;
  /** When the first day of the log begins; by default Monday 2026-01-05 00:00 UTC. */
  start?: Date;
  /** The SLA policy tickets open under and the SLA worker acts on; by default the built-in one. */
  policy?: SlaPolicy;
}

export const DEFAULT_START = new Date('2026-01-05T00:00:00.000Z');

/** Salts of the run-wide random sources (each ticket's own source has its own salt). */
const PEOPLE_SALT = 0;
const ARRIVALS_SALT = 1;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/**
 * New requests are proposed this far apart on average and kept in proportion to how many
 * customers are at work (off-hours count for a fifth): about half are kept, so tickets open some
 * three minutes apart on average, more of them in the customers' working hours.
 */
const PROPOSAL_GAP = 1.5 * MINUTE;
const OFF_HOURS_ACTIVITY = 0.2;

/** Whether the tenant's people are at work at `at`: Monday to Friday, 08:00–18:00 their time. */
function activity(tenant: Tenant, at: number): number {
  const local = new Date(at + tenant.utcOffset * HOUR);
  const day = local.getUTCDay();
  const hour = local.getUTCHours();
  return day >= 1 && day <= 5 && hour >= 8 && hour < 18 ? 1 : OFF_HOURS_ACTIVITY;
}

/** New requests: a steady random stream, thinned to follow the customers' working hours. */
class Arrivals {
  private at: number;
  private readonly busiest: number;

  constructor(
    private readonly random: Random,
    private readonly tenants: readonly Tenant[],
    start: number,
  ) {
    this.at = start;
    this.busiest = tenants.reduce((sum, tenant) => sum + tenant.weight, 0);
  }

  next(): { at: number; tenant: Tenant } {
    for (;;) {
      this.at += this.random.exponential(PROPOSAL_GAP);
      const weights = this.tenants.map((tenant) => [tenant, tenant.weight * activity(tenant, this.at)] as const);
      const active = weights.reduce((sum, [, weight]) => sum + weight, 0);
      if (this.random.next() * this.busiest < active) return { at: Math.ceil(this.at / 1000) * 1000, tenant: this.random.weighted(weights) };
    }
  }
}

function worldOf(seed: number, policy: SlaPolicy): { world: World; tenants: Tenant[] } {
  const tenants = makeTenants(new Random(seed, PEOPLE_SALT));
  const decisionPolicy = decisionPolicyOf(policy);
  return { world: { seed, policy, decisionPolicy, reopenWindowMs: reopenWindowMillis(decisionPolicy), staff: makeStaff() }, tenants };
}

/**
 * Every event of `tickets` generated tickets, in the order they occurred (ties in a fixed order),
 * interleaved across tickets as a live system writes them. Only the tickets still active are held
 * in memory: a min-heap of them, keyed by when each one's next event occurs.
 *
 * Throws RangeError at once for a `tickets` that is not a positive whole number, a seed that is
 * not a safe integer, or an invalid `start`.
 */
export function generateHistories(options: GenerateOptions): Generator<TicketEvent> {
  const { tickets, seed } = options;
  if (!Number.isSafeInteger(tickets) || tickets < 1) throw new RangeError(`tickets must be a positive whole number, not ${tickets}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a whole number (a safe integer), not ${seed}`);
  const start = (options.start ?? DEFAULT_START).getTime();
  if (Number.isNaN(start)) throw new RangeError('start must be a valid instant');
  return interleavedHistories(tickets, seed, start, options.policy ?? defaultPolicy);
}

function* interleavedHistories(tickets: number, seed: number, start: number, policy: SlaPolicy): Generator<TicketEvent> {
  const { world, tenants } = worldOf(seed, policy);
  const arrivals = new Arrivals(new Random(seed, ARRIVALS_SALT), tenants, start);
  // Runs in the schedule always have a next event.
  const schedule = new MinHeap<TicketRun>((a, b) => (a.nextAt as number) < (b.nextAt as number) || (a.nextAt === b.nextAt && a.index < b.index));
  // Ticket numbers handed out so far: to new requests, and to the follow-ups they will have.
  let numbered = 0;
  const enter = (run: TicketRun): TicketRun => {
    if (run.comesBack && numbered < tickets) run.reserveFollowUp(numbered++);
    schedule.push(run);
    return run;
  };
  // The next new request waits in the schedule; the one after it is drawn when it opens.
  const arrive = (): TicketRun => {
    const { at, tenant } = arrivals.next();
    return enter(TicketRun.fresh(world, numbered++, tenant, at));
  };
  let nextArrival: TicketRun | undefined = arrive();

  for (let run = schedule.pop(); run !== undefined; run = schedule.pop()) {
    const { events, followUp } = run.step();
    yield* events;
    if (run === nextArrival) nextArrival = numbered < tickets ? arrive() : undefined;
    if (followUp !== undefined) enter(followUp);
    if (run.nextAt !== undefined) schedule.push(run);
  }
}
