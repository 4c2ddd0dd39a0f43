import { describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { UnsecuredJWT, generateKeyPair } from 'jose';
import { UnauthorizedError, createTokenVerifier, generateSecret, issueToken } from '../src/index.js';
import { SECRET, T0, alice, alicePayload, epoch, expectRefused, later, partner, secretBytes, sign } from './support.js';

/** A verifier whose clock stands at `at` seconds after T0. */
const verifierAt = (at = 0, config: { issuer?: string; audience?: string; clockToleranceSec?: number } = {}) =>
  createTokenVerifier({ secret: SECRET, ...config }, { now: () => later(at) });

describe('a token issued with the shared secret', () => {
  it('verifies to the claims it was issued with', async () => {
    const token = await issueToken(SECRET, partner, { now: T0 });
    const claims = await verifierAt(60)(token);
    expect(claims).toMatchObject(partner);
    expect(claims.iat).toBe(epoch(T0));
    expect(claims.exp).toBe(epoch(T0) + 30 * 86_400);
  });

  it('carries issuer and audience, and a verifier that asks for them accepts it', async () => {
    const token = await issueToken(SECRET, alice, { now: T0, expiresIn: '1h', issuer: 'caseflow-dev', audience: 'caseflow-api' });
    await expect(verifierAt(0, { issuer: 'caseflow-dev', audience: 'caseflow-api' })(token)).resolves.toMatchObject({
      ...alice,
      iss: 'caseflow-dev',
      aud: 'caseflow-api',
    });
  });

  it('expires at exp, and not a second before', async () => {
    const token = await issueToken(SECRET, alice, { now: T0, expiresIn: '1h' });
    await expect(verifierAt(3599)(token)).resolves.toMatchObject(alice);
    await expectRefused(verifierAt(3600)(token), 'expired', 'the token has expired');
  });

  it('is allowed the configured leeway for clock skew', async () => {
    const token = await issueToken(SECRET, alice, { now: T0, expiresIn: '1h' });
    await expect(verifierAt(3630, { clockToleranceSec: 60 })(token)).resolves.toMatchObject(alice);
    await expectRefused(verifierAt(3660, { clockToleranceSec: 60 })(token), 'expired');
  });

  it('is refused before its nbf', async () => {
    const token = await sign(alicePayload({ nbf: epoch(T0) + 600 }), secretBytes());
    await expectRefused(verifierAt(599)(token), 'not_yet_valid', 'the token is not valid yet');
    await expect(verifierAt(600)(token)).resolves.toMatchObject(alice);
  });

  it('is refused by a verifier with another secret', async () => {
    const token = await issueToken(generateSecret(), alice, { now: T0 });
    await expectRefused(verifierAt()(token), 'bad_signature', "the token's signature does not verify");
  });

  it('is refused once its payload is changed', async () => {
    const [header, payload, signature] = (await issueToken(SECRET, alice, { now: T0 })).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as object;
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'supervisor', tenant: 'support' })).toString('base64url');
    await expectRefused(verifierAt()([header, promoted, signature].join('.')), 'bad_signature');
  });

  it('is refused with issuer or audience other than the configured ones, or none', async () => {
    const token = await issueToken(SECRET, alice, { now: T0, issuer: 'someone-else', audience: 'another-api' });
    await expectRefused(verifierAt(0, { issuer: 'caseflow' })(token), 'wrong_issuer', 'the token comes from another issuer');
    await expectRefused(verifierAt(0, { audience: 'caseflow-api' })(token), 'wrong_audience', 'the token is meant for another audience');
    const bare = await issueToken(SECRET, alice, { now: T0 });
    await expectRefused(verifierAt(0, { issuer: 'caseflow' })(bare), 'invalid_claims', 'the token has no iss claim');
  });
});

describe('tokens signed some other way', () => {
  it('refuses an unsigned token (alg none)', async () => {
    const token = new UnsecuredJWT(alicePayload()).encode();
    await expectRefused(verifierAt()(token), 'algorithm_not_allowed');
  });

  it('refuses HS384 with the very same secret: HS256 only', async () => {
    const token = await sign(alicePayload(), secretBytes(), { alg: 'HS384' });
    await expectRefused(verifierAt()(token), 'algorithm_not_allowed', 'the token is signed with an algorithm this server does not accept');
  });

  it('refuses RS256, whoever holds the private key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await expectRefused(verifierAt()(await sign(alicePayload(), privateKey, { alg: 'RS256' })), 'algorithm_not_allowed');
  });
});

describe('claims', () => {
  it('need sub, role and tenant', async () => {
    const { role: _role, ...withoutRole } = alicePayload();
    await expectRefused(verifierAt()(await sign(withoutRole, secretBytes())), 'invalid_claims', /^the token has no role claim$/);
    const { sub: _sub, tenant: _tenant, ...anonymous } = alicePayload();
    await expectRefused(verifierAt()(await sign(anonymous, secretBytes())), 'invalid_claims', 'the token has no sub claim; the token has no tenant claim');
  });

  it('need an expiry', async () => {
    const { exp: _exp, ...forever } = alicePayload();
    await expectRefused(verifierAt()(await sign(forever, secretBytes())), 'invalid_claims', 'the token has no exp claim');
  });

  it('refuse an unknown role, a malformed tenant and malformed delegations', async () => {
    await expectRefused(verifierAt()(await sign(alicePayload({ role: 'root' }), secretBytes())), 'invalid_claims', /^the token's role claim is invalid: /);
    await expectRefused(verifierAt()(await sign(alicePayload({ tenant: 'Contoso Ltd' }), secretBytes())), 'invalid_claims', /tenant claim is invalid: a tenant id is lower-case/);
    await expectRefused(verifierAt()(await sign(alicePayload({ delegations: 'contoso' }), secretBytes())), 'invalid_claims', /delegations claim is invalid/);
    await expectRefused(verifierAt()(await sign(alicePayload({ sub: '' }), secretBytes())), 'invalid_claims', /sub claim is invalid/);
  });

  it('let other claims through', async () => {
    const claims = await verifierAt()(await sign(alicePayload({ name: 'Alice Smith', amr: ['pwd'] }), secretBytes()));
    expect(claims).toMatchObject({ ...alice, name: 'Alice Smith', amr: ['pwd'] });
  });
});

describe('issuing', () => {
  it('refuses claims the verifier would refuse, a short secret, and an unreadable lifetime', async () => {
    await expect(issueToken(SECRET, { ...alice, role: 'root' } as never)).rejects.toThrow(/role/);
    await expect(issueToken('too-short', alice)).rejects.toThrow('the JWT secret is 9 bytes; HS256 needs at least 32');
    await expect(issueToken(SECRET, alice, { expiresIn: '1 fortnight' })).rejects.toThrow(/expiresIn "1 fortnight" is not/);
  });

  it('reads lifetimes in seconds, minutes, hours, days and weeks', async () => {
    const lifetimes = { '90s': 90, '15m': 900, '12h': 43_200, '30d': 2_592_000, '2w': 1_209_600 };
    for (const [expiresIn, seconds] of Object.entries(lifetimes)) {
      const claims = await verifierAt()(await issueToken(SECRET, alice, { now: T0, expiresIn }));
      expect(claims.exp).toBe(epoch(T0) + seconds);
    }
  });

  it('makes fresh 256-bit secrets that a verifier accepts', async () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
    await expect(createTokenVerifier({ secret })(await issueToken(secret, alice))).resolves.toMatchObject(alice);
  });
});

describe('a misconfigured verifier', () => {
  it('fails at construction, naming the problem', () => {
    expect(() => createTokenVerifier({})).toThrow('an identity config needs exactly one of secret and jwksUrl');
    expect(() => createTokenVerifier({ secret: SECRET, jwksUrl: 'https://login.example/keys' })).toThrow('exactly one of secret and jwksUrl');
    expect(() => createTokenVerifier({ secret: 'x'.repeat(31) })).toThrow('the JWT secret is 31 bytes; HS256 needs at least 32');
    expect(() => createTokenVerifier({ secret: SECRET, clockToleranceSec: -1 })).toThrow(/clockToleranceSec must be a non-negative/);
    expect(() => createTokenVerifier({ jwksUrl: 'login.example/keys' })).toThrow('the JWKS URL "login.example/keys" is not a URL');
    expect(() => createTokenVerifier({ jwksUrl: 'file:///etc/keys.json' })).toThrow('is not http(s)');
  });

  it('never shows the secret in its error', () => {
    const secret = 'hunter2-hunter2';
    const construction = () => createTokenVerifier({ secret });
    expect(construction).toThrow('the JWT secret is 15 bytes');
    expect(construction).not.toThrow(secret);
  });
});

describe('any string at all as a token', () => {
  const verify = verifierAt();
  const segment = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')) });
  const encoded = (value: unknown) => Buffer.from(JSON.stringify(value) ?? '').toString('base64url');
  const candidates = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.')),
    // Well-formed JSON in the header and payload: gets past the parsing into the checks behind it.
    fc.tuple(fc.record({ alg: fc.constantFrom('HS256', 'none', 'RS256', 'HS512', ''), kid: fc.string() }, { requiredKeys: ['alg'] }), fc.jsonValue(), segment).map(
      ([header, payload, signature]) => `${encoded(header)}.${encoded(payload)}.${signature}`,
    ),
  );

  it('is refused with an UnauthorizedError and nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(candidates, async (token) => {
        const error = await verify(token).then(
          () => undefined,
          (failure: unknown) => failure,
        );
        expect(error).toBeInstanceOf(UnauthorizedError);
      }),
      { numRuns: 300 },
    );
  });
});
