import { Role, TenantId } from '@caseflow/domain';
import { z } from 'zod';

/**
 * The claims that drive access. Other claims (iss, aud, exp, an IdP's own) pass through
 * unchecked here. `delegations` is only what the token claims: the directory decides which hold.
 */
export const TokenClaims = z.looseObject({
  sub: z.string().min(1).max(200),
  role: Role,
  tenant: TenantId,
  delegations: z.array(TenantId).max(1000).optional(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;
