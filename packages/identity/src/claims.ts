import { Actor } from '@caseflow/domain';
import { z } from 'zod';

/**
 * The claims that drive access, each checked as the Actor field it becomes (sub is the actor's id).
 * Other claims (iss, aud, exp, an IdP's own) pass through unchecked here. `delegations` is only
 * what the token claims: the directory decides which hold.
 */
export const TokenClaims = z.looseObject({
  sub: Actor.shape.id,
  role: Actor.shape.role,
  tenant: Actor.shape.tenant,
  delegations: Actor.shape.delegations,
});
export type TokenClaims = z.infer<typeof TokenClaims>;
