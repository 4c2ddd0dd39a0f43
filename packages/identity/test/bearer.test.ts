import { describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { UnauthorizedError, bearerToken, identityConfigFromEnv } from '../src/index.js';

function refusal(header: string | undefined): { reason: string; message: string } {
  try {
    bearerToken(header);
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
    return { reason: error.reason, message: error.message };
  }
  throw new Error(`accepted ${JSON.stringify(header)}`);
}

describe('the Authorization header', () => {
  it('yields the token after Bearer, whatever the scheme’s case', () => {
    expect(bearerToken('Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln')).toBe('eyJhbGciOiJIUzI1NiJ9.e30.c2ln');
    expect(bearerToken('bearer abc~+/==')).toBe('abc~+/==');
    expect(bearerToken('BEARER  abc ')).toBe('abc');
  });

  it('is missing when absent or blank', () => {
    expect(refusal(undefined)).toEqual({ reason: 'missing_token', message: 'missing bearer token' });
    expect(refusal('')).toEqual({ reason: 'missing_token', message: 'missing bearer token' });
    expect(refusal('   ')).toEqual({ reason: 'missing_token', message: 'missing bearer token' });
  });

  it('is refused in any other shape', () => {
    for (const header of ['Bearer', 'Bearer ', 'Basic YWxpY2U6c2VjcmV0', 'Bearerabc', 'Bearer a b', 'Bearer a=b', 'Token abc', 'abc', 'Bearer\tabc', 'Bearer abc\n']) {
      expect(refusal(header)).toEqual({ reason: 'malformed_header', message: 'the Authorization header is not "Bearer <token>"' });
    }
  });

  it('either yields a token found in it or refuses with an UnauthorizedError, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string().map((rest) => `Bearer ${rest}`)), (header) => {
        try {
          const token = bearerToken(header);
          expect(token.length).toBeGreaterThan(0);
          expect(header).toContain(token);
        } catch (error) {
          expect(error).toBeInstanceOf(UnauthorizedError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('identity configuration from the environment', () => {
  const secret = 'a-secret-that-is-long-enough-for-hs256!!';

  it('is absent when neither a secret nor a JWKS URL is set', () => {
    expect(identityConfigFromEnv({})).toBeUndefined();
    expect(identityConfigFromEnv({ CASEFLOW_JWT_SECRET: '', CASEFLOW_JWKS_URL: '' })).toBeUndefined();
  });

  it('reads a secret or a JWKS URL, with issuer and audience', () => {
    expect(identityConfigFromEnv({ CASEFLOW_JWT_SECRET: secret })).toEqual({ secret });
    expect(
      identityConfigFromEnv({ CASEFLOW_JWKS_URL: 'https://login.example/keys', CASEFLOW_JWT_ISSUER: 'https://login.example/', CASEFLOW_JWT_AUDIENCE: 'caseflow' }),
    ).toEqual({ jwksUrl: 'https://login.example/keys', issuer: 'https://login.example/', audience: 'caseflow' });
  });

  it('refuses both at once, and an issuer or audience with nothing to verify against', () => {
    expect(() => identityConfigFromEnv({ CASEFLOW_JWT_SECRET: secret, CASEFLOW_JWKS_URL: 'https://login.example/keys' })).toThrow(
      'set CASEFLOW_JWT_SECRET or CASEFLOW_JWKS_URL, not both',
    );
    expect(() => identityConfigFromEnv({ CASEFLOW_JWT_AUDIENCE: 'caseflow' })).toThrow(/neither CASEFLOW_JWT_SECRET nor CASEFLOW_JWKS_URL/);
  });
});
