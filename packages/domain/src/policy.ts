import { Duration } from 'luxon';
import { z } from 'zod';
import { Category, Plan, Severity } from './model.js';

const IsoDuration = z.string().refine((s) => Duration.fromISO(s).isValid, 'an ISO 8601 duration such as P14D');

/**
 * The part of an SLA policy that decides what a ticket may do. The full policy (targets,
 * calendars, clocks) lives in the sla package; this is the slice `decide` reads.
 */
export const DecisionPolicy = z
  .object({
    id: z.string().min(1),
    version: z.number().int().nonnegative(),
    /** How long after closing the customer may still reopen. Measured from the close event. */
    reopenWindow: IsoDuration,
    severity: z
      .object({
        /** The most urgent severity each category may have (A is most urgent). */
        highestByCategory: z.record(Category, Severity),
        /** Plans on which Severity A needs the advanced online service agreement (21Vianet). */
        severityARequiresAgreement: z.array(Plan),
        /** Plans that never offer Severity A. */
        plansWithoutSeverityA: z.array(Plan),
      })
      .strict(),
  })
  .strict();
export type DecisionPolicy = z.infer<typeof DecisionPolicy>;

/** The seeds: A only for technical, billing and presales at most B, 21Vianet A only with the agreement. */
export const defaultDecisionPolicy: DecisionPolicy = {
  id: 'm365-default',
  version: 1,
  reopenWindow: 'P14D',
  severity: {
    highestByCategory: { technical: 'A', billing: 'B', presales: 'B' },
    severityARequiresAgreement: ['21vianet'],
    plansWithoutSeverityA: [],
  },
};

export function reopenWindowMillis(policy: DecisionPolicy): number {
  return Duration.fromISO(policy.reopenWindow).toMillis();
}
