import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CryptoKey, JWK } from 'jose';
import { exportJWK, generateKeyPair } from 'jose';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenVerifier } from '../src/index.js';
import { SECRET, T0, alice, alicePayload, expectRefused, later, secretBytes, sign } from './support.js';

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string, alg: 'RS256' | 'ES256' | 'EdDSA'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const tokenFrom = (key: SigningKey) => sign(alicePayload(), key.privateKey, { alg: key.alg, kid: key.kid });

/** An identity provider's JWKS endpoint on loopback: publishes what `publish` is given, counts fetches. */
class KeyServer {
  fetches = 0;
  status = 200;
  body = '{"keys":[]}';
  private readonly server: Server = createServer((request, response) => {
    this.fetches += 1;
    response.writeHead(this.status, { 'content-type': 'application/json' }).end(this.body);
  });

  publish(...keys: SigningKey[]): void {
    this.status = 200;
    this.body = JSON.stringify({ keys: keys.map((key) => key.jwk) });
  }

  async start(port = 0): Promise<string> {
    await new Promise<void>((listening) => this.server.listen(port, '127.0.0.1', listening));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((closed, failed) => this.server.close((error) => (error === undefined ? closed() : failed(error))));
  }
}

describe('tokens verified against a JWKS endpoint', () => {
  const keys = new KeyServer();
  let url: string;
  let rsa: SigningKey;
  let ec: SigningKey;
  let ed: SigningKey;
  let next: SigningKey;
  beforeAll(async () => {
    [rsa, ec, ed, next] = await Promise.all([signingKey('rsa-1', 'RS256'), signingKey('ec-1', 'ES256'), signingKey('ed-1', 'EdDSA'), signingKey('rsa-2', 'RS256')]);
    url = await keys.start();
  });
  afterAll(() => keys.stop());

  const verifier = (options: { jwksCooldownSec?: number } = {}) => createTokenVerifier({ jwksUrl: url }, { now: () => later(60), ...options });

  it('verifies RS256, ES256 and EdDSA tokens signed with published keys', async () => {
    keys.publish(rsa, ec, ed);
    const verify = verifier();
    for (const key of [rsa, ec, ed]) await expect(verify(await tokenFrom(key))).resolves.toMatchObject(alice);
  });

  it('still checks the claims and the clock', async () => {
    keys.publish(rsa);
    const verify = createTokenVerifier({ jwksUrl: url }, { now: () => later(3600) });
    await expectRefused(verify(await tokenFrom(rsa)), 'expired');
    await expectRefused(verifier()(await sign(alicePayload({ role: 'root' }), rsa.privateKey, { alg: 'RS256', kid: rsa.kid })), 'invalid_claims', /role claim is invalid/);
  });

  it('refuses a token whose kid names a published key it was not signed with', async () => {
    keys.publish(rsa);
    const impostor = await signingKey(rsa.kid, 'RS256');
    await expectRefused(verifier()(await tokenFrom(impostor)), 'bad_signature');
  });

  it('refuses HS256, even keyed with the shared secret or a published key: no algorithm confusion', async () => {
    keys.publish(rsa);
    await expectRefused(verifier()(await sign(alicePayload(), secretBytes(SECRET), { alg: 'HS256', kid: rsa.kid })), 'algorithm_not_allowed');
    const publicKeyAsSecret = new TextEncoder().encode(JSON.stringify(rsa.jwk));
    await expectRefused(verifier()(await sign(alicePayload(), publicKeyAsSecret, { alg: 'HS256', kid: rsa.kid })), 'algorithm_not_allowed');
  });

  it('follows a key rotation: a new kid makes it fetch the keys again', async () => {
    keys.publish(rsa);
    const verify = verifier({ jwksCooldownSec: 0 });
    await expect(verify(await tokenFrom(rsa))).resolves.toMatchObject(alice);

    keys.publish(next);
    const before = keys.fetches;
    await expect(verify(await tokenFrom(next))).resolves.toMatchObject(alice);
    expect(keys.fetches).toBe(before + 1);
    await expectRefused(verify(await tokenFrom(rsa)), 'unknown_key', "the token's signing key is not among the published keys");
  });

  it('does not fetch again for an unknown kid right after a fetch', async () => {
    keys.publish(rsa);
    const verify = verifier();
    await expect(verify(await tokenFrom(rsa))).resolves.toMatchObject(alice);
    const before = keys.fetches;
    const stranger = await signingKey('made-up', 'RS256');
    for (let attempt = 0; attempt < 3; attempt += 1) await expectRefused(verify(await tokenFrom(stranger)), 'unknown_key');
    expect(keys.fetches).toBe(before);
  });

  it('refuses every token while the endpoint answers with an error or not a key set', async () => {
    keys.status = 500;
    await expectRefused(verifier()(await tokenFrom(rsa)), 'keys_unavailable', 'the signing keys cannot be fetched to verify the token');
    keys.status = 200;
    keys.body = '<html>maintenance</html>';
    await expectRefused(verifier()(await tokenFrom(rsa)), 'keys_unavailable');
    keys.body = '{"keys": "none"}';
    await expectRefused(verifier()(await tokenFrom(rsa)), 'keys_unavailable');
  });
});

describe('a JWKS endpoint that is down', () => {
  it('refuses the token instead of crashing, and the same verifier recovers when the endpoint is back', async () => {
    const rsa = await signingKey('rsa-1', 'RS256');
    const first = new KeyServer();
    const url = await first.start();
    await first.stop();

    const verify = createTokenVerifier({ jwksUrl: url }, { now: () => T0 });
    await expectRefused(verify(await tokenFrom(rsa)), 'keys_unavailable');

    const back = new KeyServer();
    back.publish(rsa);
    await back.start(Number(new URL(url).port));
    try {
      await expect(verify(await tokenFrom(rsa))).resolves.toMatchObject(alice);
    } finally {
      await back.stop();
    }
  });
});
