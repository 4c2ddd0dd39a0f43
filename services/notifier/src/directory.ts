import type { TicketEventType } from '@caseflow/domain';
import { TICKET_EVENT_TYPES } from '@caseflow/domain';
import { z } from 'zod';
import { isKnownZone } from './locale.js';

/**
 * Who the notifier can reach besides the customer: agents by id (a ticket's owner is an agent
 * id), the duty supervisor (globally, or per tenant), and each tenant's webhooks. A plain object,
 * checked by `parseDirectory` at startup so a typo fails loudly instead of silently not notifying.
 */
export interface Person {
  email: string;
  /** How messages greet them; the id or address when absent. */
  name?: string;
  /** Template language (BCP 47); English when absent. */
  language?: string;
  /** IANA zone for the dates in their messages; UTC when absent. */
  zone?: string;
}

export interface WebhookEndpoint {
  /** http(s) URL that receives a POST per event. */
  url: string;
  /** Shared secret for the HMAC-SHA256 signature (at least 16 characters). */
  secret: string;
  /** Only these event types; all (but internal notes) when absent. */
  events?: TicketEventType[];
}

export interface TenantSettings {
  webhooks: WebhookEndpoint[];
  /** Overrides the global duty supervisor for this tenant's breaches. */
  dutySupervisor?: Person;
}

export interface Directory {
  tenants: Record<string, TenantSettings>;
  agents: Record<string, Person>;
  dutySupervisor?: Person;
}

export const EMPTY_DIRECTORY: Directory = { tenants: {}, agents: {} };

export class DirectoryError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid notifier directory: ${issues.join('; ')}`);
    this.name = 'DirectoryError';
  }
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

const NonEmpty = z.string({ error: 'must be a non-empty string' }).trim().min(1, 'must be a non-empty string');

const PersonSchema = z.strictObject(
  {
    email: z.string({ error: 'must be an email address' }).regex(EMAIL, 'must be an email address'),
    name: NonEmpty.optional(),
    language: NonEmpty.regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 tag such as en or zh-CN').optional(),
    zone: NonEmpty.refine(isKnownZone, { error: (issue) => `unknown time zone ${String(issue.input)}` }).optional(),
  },
  { error: 'must be an object with an email' },
);

const WebhookSchema = z.strictObject(
  {
    url: z.string({ error: 'must be an http or https URL' }).refine(isHttpUrl, 'must be an http or https URL'),
    secret: z.string({ error: 'must be a string of at least 16 characters' }).min(16, 'must be a string of at least 16 characters'),
    events: z
      .array(z.enum(TICKET_EVENT_TYPES as [TicketEventType, ...TicketEventType[]], { error: (issue) => `unknown event type ${String(issue.input)}` }), {
        error: 'must be a list of event types',
      })
      .optional(),
  },
  { error: 'must be an object with url and secret' },
);

const DirectorySchema = z.strictObject(
  {
    tenants: z
      .record(
        z.string(),
        z.strictObject(
          { webhooks: z.array(WebhookSchema, { error: 'must be a list' }).default([]), dutySupervisor: PersonSchema.optional() },
          { error: 'must be an object' },
        ),
        { error: 'must be an object keyed by tenant id' },
      )
      .default({}),
    agents: z.record(z.string(), PersonSchema, { error: 'must be an object keyed by agent id' }).default({}),
    dutySupervisor: PersonSchema.optional(),
  },
  { error: 'must be an object' },
);

/** A zod issue's path as the notifier's errors name it, e.g. `tenants.contoso.webhooks.0.secret`. */
export const pathOf = (path: readonly PropertyKey[]) => (path.length === 0 ? '(root)' : path.map(String).join('.'));

/**
 * Checks a directory (from a config file or an object) and returns it typed. Throws
 * DirectoryError naming every problem by its path, e.g. `tenants.contoso.webhooks.0.secret`.
 */
export function parseDirectory(input: unknown): Directory {
  const parsed = DirectorySchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new DirectoryError(
    parsed.error.issues.flatMap((issue) =>
      // zod reports unknown keys on their parent; name each key's own path instead.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => `${pathOf(issue.path)}.${key}: unknown field`)
        : [`${pathOf(issue.path)}: ${issue.message}`],
    ),
  );
}
