/** Where tokens are checked against: exactly one of `secret` (HS256) and `jwksUrl`. */
export interface IdentityConfig {
  secret?: string;
  jwksUrl?: string;
  /** When set, a token's iss must equal it. */
  issuer?: string;
  /** When set, a token's aud must contain it. */
  audience?: string;
  /** Leeway for exp and nbf against clock skew; default 0. */
  clockToleranceSec?: number;
}

/**
 * Reads CASEFLOW_JWT_SECRET, CASEFLOW_JWKS_URL, CASEFLOW_JWT_ISSUER and CASEFLOW_JWT_AUDIENCE
 * (empty counts as unset). Undefined when neither a secret nor a JWKS URL is set: no identity
 * configured. Throws when both are set, and when only issuer or audience is: an operator who set
 * those meant tokens to be checked, and must not silently get no checking at all.
 */
export function identityConfigFromEnv(env: NodeJS.ProcessEnv): IdentityConfig | undefined {
  const read = (name: string) => (env[name] === '' ? undefined : env[name]);
  const secret = read('CASEFLOW_JWT_SECRET');
  const jwksUrl = read('CASEFLOW_JWKS_URL');
  const issuer = read('CASEFLOW_JWT_ISSUER');
  const audience = read('CASEFLOW_JWT_AUDIENCE');
  if (secret !== undefined && jwksUrl !== undefined) throw new Error('set CASEFLOW_JWT_SECRET or CASEFLOW_JWKS_URL, not both');
  if (secret === undefined && jwksUrl === undefined) {
    if (issuer !== undefined || audience !== undefined) {
      throw new Error('CASEFLOW_JWT_ISSUER or CASEFLOW_JWT_AUDIENCE is set, but neither CASEFLOW_JWT_SECRET nor CASEFLOW_JWKS_URL says how to verify tokens');
    }
    return undefined;
  }
  return {
    ...(secret === undefined ? {} : { secret }),
    ...(jwksUrl === undefined ? {} : { jwksUrl }),
    ...(issuer === undefined ? {} : { issuer }),
    ...(audience === undefined ? {} : { audience }),
  };
}
