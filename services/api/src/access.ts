import type { TenantDirectory } from '@caseflow/directory';
import { effectiveDelegations, tenantOf } from '@caseflow/directory';
import type { Actor } from '@caseflow/domain';
import type { TokenClaims } from '@caseflow/identity';
import { Problem } from './problem.js';

/**
 * Who is calling and which tenants' tickets they may see. The domain decides what each role may
 * do to a ticket; this decides what exists for them at all: another tenant's ticket is not
 * forbidden to a customer, it is not there (404), so ticket ids leak nothing across tenants.
 */
export interface Principal {
  actor: Actor;
  /** `all` for support staff, analysts and the workers; otherwise the tenants whose tickets they see. */
  scope: 'all' | readonly string[];
}

const SEES_EVERYTHING = new Set(['agent', 'supervisor', 'analyst', 'service']);
const SUPPORT_STAFF = new Set(['agent', 'supervisor']);

export function principalOf(claims: TokenClaims, directory: TenantDirectory): Principal {
  const { sub: id, role, tenant } = claims;
  // A role that sees every tenant must come from the support organisation itself, so a customer's
  // identity provider minting "agent" tokens for its own users gains nothing.
  if (SEES_EVERYTHING.has(role) && tenantOf(directory, tenant)?.kind !== 'support') {
    throw new Problem('forbidden', `a ${role} must belong to a support organisation in the tenant directory; ${tenant} is not one`);
  }
  if (role === 'partner') {
    // A token's delegations count only where the directory confirms them.
    const delegations = effectiveDelegations(directory, tenant, claims.delegations ?? []);
    return { actor: { id, role, tenant, delegations }, scope: delegations };
  }
  return { actor: { id, role, tenant }, scope: SEES_EVERYTHING.has(role) ? 'all' : [tenant] };
}

export const canSee = (principal: Principal, tenant: string) => principal.scope === 'all' || principal.scope.includes(tenant);

/** Customers and partners read public notes only. */
export const seesInternalNotes = (principal: Principal) => SEES_EVERYTHING.has(principal.actor.role);

export function requireSupportStaff(principal: Principal, what: string): void {
  if (!SUPPORT_STAFF.has(principal.actor.role)) {
    const { role, id, tenant } = principal.actor;
    throw new Problem('forbidden', `${role} ${id}@${tenant} may not ${what}: only agents and supervisors may`);
  }
}
