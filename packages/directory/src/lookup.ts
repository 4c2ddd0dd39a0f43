import type { TenantDirectory, TenantEntry } from './schema.js';

export function tenantOf(dir: TenantDirectory, tenant: string): TenantEntry | undefined {
  // Own keys only: `constructor` is a valid tenant id, and must not find Object's.
  return Object.hasOwn(dir.tenants, tenant) ? dir.tenants[tenant] : undefined;
}

/** `+49 (30) 555-0100` and `+49305550100` are one number; a leading + is kept, so `0049…` is not `+49…`. */
function normalisePhone(phone: string): string {
  return phone.replace(/[\s().-]/g, '');
}

/** Compares both sides with spaces, dashes, dots and parentheses stripped, a leading + kept. */
export function isRegisteredPhone(dir: TenantDirectory, tenant: string, phone: string): boolean {
  const wanted = normalisePhone(phone);
  if (wanted === '') return false;
  return (tenantOf(dir, tenant)?.contacts ?? []).some((contact) => contact.phone !== undefined && normalisePhone(contact.phone) === wanted);
}

export interface VerificationRecipient {
  /** Exactly one of email and phone: the channel the code goes to. */
  email?: string;
  phone?: string;
  language: string;
  name: string;
}

/** Where a phone verification code goes: the tenant's first registered admin contact with email, else with phone; undefined if none. */
export function verificationRecipient(dir: TenantDirectory, tenant: string): VerificationRecipient | undefined {
  const entry = tenantOf(dir, tenant);
  if (entry === undefined) return undefined;
  const admins = entry.contacts.filter((contact) => contact.role === 'admin');
  const byEmail = admins.find((contact) => contact.email !== undefined);
  if (byEmail?.email !== undefined) return { email: byEmail.email, language: entry.language, name: byEmail.name };
  const byPhone = admins.find((contact) => contact.phone !== undefined);
  if (byPhone?.phone !== undefined) return { phone: byPhone.phone, language: entry.language, name: byPhone.name };
  return undefined;
}

/**
 * A partner's effective delegations: those claimed in its token AND listed in the directory as
 * delegated to that partner org. A token alone never grants a delegation the customer did not give.
 */
export function effectiveDelegations(dir: TenantDirectory, partnerTenant: string, claimed: readonly string[]): string[] {
  const granted = claimed.filter((tenant) => tenantOf(dir, tenant)?.partners.includes(partnerTenant) === true);
  return [...new Set(granted)];
}
