import { DateTime } from 'luxon';
import { z } from 'zod';

export const LIFECYCLE_STATES = [
  'opened',
  'triaged',
  'awaitingCustomer',
  'downgraded',
  'resolved',
  'closed',
  'reopened',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];
/** `none` is the "—" row of the lifecycle table: the ticket has not been opened yet. */
export type TicketStatus = 'none' | LifecycleState;

export const Severity = z.enum(['A', 'B', 'C']);
export type Severity = z.infer<typeof Severity>;
export const Category = z.enum(['technical', 'billing', 'presales']);
export type Category = z.infer<typeof Category>;
export const Plan = z.enum(['business', 'enterprise', 'frontline', 'elevated', '21vianet']);
export type Plan = z.infer<typeof Plan>;

export const Role = z.enum([
  'customer-admin',
  'customer-user',
  'partner',
  'agent',
  'supervisor',
  'analyst',
  'service',
]);
export type Role = z.infer<typeof Role>;

/** Reasons that close a ticket that was never resolved (the lifecycle table's second close row). */
export const UNRESOLVED_CLOSE_REASONS = ['cancelled', 'duplicate', 'out-of-scope', 'no-response'] as const;
/** Reasons that close a resolved ticket: the customer confirmed, an agent closed, or the quiet period ran out. */
export const RESOLVED_CLOSE_REASONS = ['confirmed', 'agent-closed', 'auto-close'] as const;
export const CloseReason = z.enum([...UNRESOLVED_CLOSE_REASONS, ...RESOLVED_CLOSE_REASONS]);
export type CloseReason = z.infer<typeof CloseReason>;

const tenantId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant id is lower-case letters, digits and dashes');

export const TenantId = tenantId;
export const TicketId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a ticket id is letters, digits, _ and -');

export const Actor = z
  .object({
    id: z.string().min(1).max(200),
    role: Role,
    tenant: tenantId,
    /** Tenants a partner holds delegated admin rights for. */
    delegations: z.array(tenantId).max(1000).optional(),
  })
  .strict();
export type Actor = z.infer<typeof Actor>;

export const Contact = z
  .object({
    email: z.email().max(320).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9][0-9 ()-]{5,24}$/, 'a phone number is digits, optionally with +, spaces, dashes or parentheses')
      .optional(),
    preferred: z.enum(['email', 'phone']),
  })
  .strict()
  .refine((c) => c[c.preferred] !== undefined, {
    message: 'the preferred contact method needs a value',
    path: ['preferred'],
  });
export type Contact = z.infer<typeof Contact>;

/** A BCP 47 language tag such as `en`, `de`, `zh-CN`. */
export const Language = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language is a BCP 47 tag such as en or zh-CN');
/** An ISO 3166-1 alpha-2 region such as `US` or `DE`. */
export const Region = z.string().regex(/^[A-Z]{2}$/, 'a region is an ISO 3166 country code such as US');

const isCalendarInstant = (text: string) => {
  const instant = DateTime.fromISO(text, { setZone: true });
  // Year 0 and earlier parse, but no calendar or store of ours can place them.
  return instant.isValid && instant.toUTC().year >= 1;
};

/** An ISO 8601 instant with `Z` or an offset, on a date that exists (no 30 February). */
export const IsoInstant = z.iso.datetime({ offset: true }).refine(isCalendarInstant, 'not a real calendar date and time');

/** Reads an ISO 8601 instant exactly as IsoInstant accepts it; undefined for anything else. */
export function parseInstant(text: string): Date | undefined {
  return IsoInstant.safeParse(text).success ? new Date(text) : undefined;
}

export const SEVERITY_ORDER: readonly Severity[] = ['A', 'B', 'C'];
/** One level less urgent, or undefined below C. */
export function lowerSeverity(severity: Severity): Severity | undefined {
  return SEVERITY_ORDER[SEVERITY_ORDER.indexOf(severity) + 1];
}
