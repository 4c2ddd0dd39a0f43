import { Contact, Language, Plan, Region, TenantId } from '@caseflow/domain';
import { z } from 'zod';

const RegisteredContact = z
  .object({
    name: z.string().min(1).max(200),
    email: Contact.shape.email,
    phone: Contact.shape.phone,
    /** Only admins receive verification codes; an unmarked contact gets the lesser role. */
    role: z.enum(['admin', 'user']).default('user'),
  })
  .strict()
  .refine((contact) => contact.email !== undefined || contact.phone !== undefined, 'a contact needs an email or a phone');

const TenantKind = z.enum(['customer', 'partner', 'support']);

const TenantEntry = z
  .object({
    name: z.string().min(1).max(200),
    plan: Plan,
    region: Region,
    advancedAgreement: z.boolean().default(false),
    /** The default language for the tenant's contacts. */
    language: Language.default('en'),
    contacts: z.array(RegisteredContact).default([]),
    /** Partner organisations (tenant ids) holding delegated admin rights for this tenant. */
    partners: z.array(TenantId).default([]),
    kind: TenantKind.default('customer'),
  })
  .strict();
export type TenantEntry = z.infer<typeof TenantEntry>;

export const TenantDirectory = z
  .object({ tenants: z.record(TenantId, TenantEntry) })
  .strict()
  .superRefine(({ tenants }, context) => {
    // A delegation to a tenant that is missing, or is not a partner organisation, is a typo that
    // would otherwise silently grant nothing (or grant a customer admin rights elsewhere).
    for (const [id, entry] of Object.entries(tenants)) {
      entry.partners.forEach((partner, index) => {
        const path = ['tenants', id, 'partners', index];
        if (partner === id) context.addIssue({ code: 'custom', path, message: 'a tenant cannot be its own partner' });
        else if (!Object.hasOwn(tenants, partner)) context.addIssue({ code: 'custom', path, message: `${partner} is not a tenant of the directory` });
        else if (tenants[partner]?.kind !== 'partner') context.addIssue({ code: 'custom', path, message: `${partner} is not a partner organisation (its kind is not "partner")` });
      });
    }
  });
export type TenantDirectory = z.infer<typeof TenantDirectory>;

export interface DirectoryIssue {
  /** Where the problem is, e.g. `tenants.contoso.contacts[0].email`. */
  path: string;
  message: string;
}

/** An invalid tenant directory: one issue per problem, each naming the offending value's path. */
export class DirectoryError extends Error {
  constructor(
    message: string,
    readonly issues: readonly DirectoryIssue[] = [],
  ) {
    super(message);
    this.name = 'DirectoryError';
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`)).join('') || '(directory)';
}

function issuesOf(error: z.ZodError): DirectoryIssue[] {
  return error.issues.flatMap((issue): DirectoryIssue[] => {
    // zod reports unknown keys on their parent; the offending key's own path is more useful.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'not a known field here' }));
    if (issue.code === 'invalid_key') return [{ path: formatPath(issue.path), message: `not a valid tenant id: ${issue.issues.map((inner) => inner.message).join('; ')}` }];
    return [{ path: formatPath(issue.path), message: issue.message.endsWith('received undefined') ? 'required' : issue.message }];
  });
}

/** Validates a tenant directory (`source` names where it came from in the error); all or nothing. */
export function parseTenantDirectory(json: unknown, source = 'tenant directory'): TenantDirectory {
  const parsed = TenantDirectory.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  throw new DirectoryError(`invalid ${source}:\n${issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}`, issues);
}
