import type { JWTPayload, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { z } from 'zod';
import { TokenClaims } from './claims.js';
import type { IdentityConfig } from './config.js';
import { hmacKey } from './secret.js';
import { UnauthorizedError } from './unauthorized.js';

/** Resolves to the token's checked claims; rejects with an UnauthorizedError only. */
export type TokenVerifier = (token: string) => Promise<TokenClaims>;

export interface VerifierOptions {
  /** The clock exp and nbf are checked against (a test clock); default the system's. */
  now?: () => Date;
  /**
   * How long after fetching the JWKS a token with an unknown kid is refused without fetching
   * again (jose's default, 30 s): a stream of made-up kids must not become a stream of fetches.
   */
  jwksCooldownSec?: number;
}

// Asymmetric only: accepting HS* here would let anyone sign with the published public key as an HMAC secret.
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** jose imports a Uint8Array secret anew on every verification; a CryptoKey imported once is reused. */
function sharedSecretKey(secret: string): JWTVerifyGetKey {
  const key = crypto.subtle.importKey('raw', hmacKey(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return () => key;
}

function remoteKeys(jwksUrl: string, cooldownSec: number | undefined): JWTVerifyGetKey {
  let url: URL;
  try {
    url = new URL(jwksUrl);
  } catch {
    throw new Error(`the JWKS URL ${JSON.stringify(jwksUrl)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`the JWKS URL ${jwksUrl} is not http(s)`);
  const keySet = createRemoteJWKSet(url, cooldownSec === undefined ? {} : { cooldownDuration: cooldownSec * 1000 });
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      // Unreachable, not 200, not a key set: the server's problem, but the request still has no identity.
      throw new UnauthorizedError('keys_unavailable', 'the signing keys cannot be fetched to verify the token', { cause: error });
    }
  };
}

function claimIssues(payload: JWTPayload, error: z.ZodError): string {
  const claims = new Set(error.issues.map((issue) => String(issue.path[0])));
  return [...claims]
    .map((claim) => {
      if (payload[claim] === undefined) return `the token has no ${claim} claim`;
      const messages = error.issues.filter((issue) => String(issue.path[0]) === claim).map((issue) => issue.message);
      return `the token's ${claim} claim is invalid: ${messages.join(', ')}`;
    })
    .join('; ');
}

function claimFailure(error: errors.JWTClaimValidationFailed): UnauthorizedError {
  if (error.reason === 'missing') return new UnauthorizedError('invalid_claims', `the token has no ${error.claim} claim`, { cause: error });
  switch (error.claim) {
    case 'nbf':
      return new UnauthorizedError('not_yet_valid', 'the token is not valid yet', { cause: error });
    case 'iss':
      return new UnauthorizedError('wrong_issuer', 'the token comes from another issuer', { cause: error });
    case 'aud':
      return new UnauthorizedError('wrong_audience', 'the token is meant for another audience', { cause: error });
    default:
      return new UnauthorizedError('invalid_claims', `the token's ${error.claim} claim is invalid`, { cause: error });
  }
}

/** Every failure as the UnauthorizedError a client may see; the original stays as `cause`. */
function unauthorized(error: unknown): UnauthorizedError {
  if (error instanceof UnauthorizedError) return error;
  if (error instanceof errors.JWTExpired) return new UnauthorizedError('expired', 'the token has expired', { cause: error });
  if (error instanceof errors.JWTClaimValidationFailed) return claimFailure(error);
  if (error instanceof errors.JWSSignatureVerificationFailed) return new UnauthorizedError('bad_signature', "the token's signature does not verify", { cause: error });
  if (error instanceof errors.JOSEAlgNotAllowed) return new UnauthorizedError('algorithm_not_allowed', 'the token is signed with an algorithm this server does not accept', { cause: error });
  if (error instanceof errors.JWKSNoMatchingKey) return new UnauthorizedError('unknown_key', "the token's signing key is not among the published keys", { cause: error });
  return new UnauthorizedError('malformed_token', 'the token is not a well-formed JWT', { cause: error });
}

function verificationKey(config: IdentityConfig, options: VerifierOptions): { key: JWTVerifyGetKey; algorithms: string[] } {
  const { secret, jwksUrl } = config;
  if (secret !== undefined && jwksUrl === undefined) return { key: sharedSecretKey(secret), algorithms: ['HS256'] };
  if (jwksUrl !== undefined && secret === undefined) return { key: remoteKeys(jwksUrl, options.jwksCooldownSec), algorithms: JWKS_ALGORITHMS };
  throw new Error('an identity config needs exactly one of secret and jwksUrl');
}

/** A verifier for exactly one of `secret` (HS256 only) and `jwksUrl`; a misconfiguration throws a plain Error here. */
export function createTokenVerifier(config: IdentityConfig, options: VerifierOptions = {}): TokenVerifier {
  const { key, algorithms } = verificationKey(config, options);
  const tolerance = config.clockToleranceSec ?? 0;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new Error(`clockToleranceSec must be a non-negative number of seconds, not ${tolerance}`);
  const now = options.now ?? (() => new Date());
  const checks: JWTVerifyOptions = {
    algorithms,
    requiredClaims: ['exp'],
    clockTolerance: tolerance,
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  };
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key, { ...checks, currentDate: now() });
      const claims = TokenClaims.safeParse(payload);
      if (!claims.success) throw new UnauthorizedError('invalid_claims', claimIssues(payload, claims.error));
      return claims.data;
    } catch (error) {
      throw unauthorized(error);
    }
  };
}
