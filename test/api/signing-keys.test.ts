import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/ops/logger.js';
import { type OtpRuntime, openOtpRuntime } from '../../src/runtime/otp-runtime.js';
import { type ApiTestApp, startApiApp } from './api-app.js';

const anna = 'anna@example.com';

describe('token signing keys: stored once, shared by every process, rotated without breaking tokens', () => {
  let api: ApiTestApp;
  const extraRuntimes: OtpRuntime[] = [];

  afterEach(async () => {
    for (const runtime of extraRuntimes.splice(0)) await runtime.close();
    await api?.close();
  });

  async function jwks() {
    return (await api.call('/.well-known/jwks.json')).body as { keys: { kid: string }[] };
  }

  async function tokenFor(email: string) {
    const { code } = await api.requestAndReadCode({ email });
    return (await api.call('/api/v1/otp/verify', { body: { email, code } })).body.token as string;
  }

  async function verifiesAgainst(token: string, keySet: { keys: unknown[] }) {
    const { payload } = await jwtVerify(token, createLocalJWKSet(keySet as never), { currentDate: new Date(api.clock.nowMs()) });
    return payload;
  }

  /** Another app process on the same database, as in a scale-out deployment. */
  async function secondProcess(env: Record<string, string> = {}) {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: api.testApp.dataDir,
      SECRET_KEY: api.testApp.config.secretKey,
      SMTP_URL: api.smtp.url,
      ...env,
    });
    const runtime = await openOtpRuntime(config, createLogger('silent'), { runWorker: false, clock: api.clock });
    extraRuntimes.push(runtime);
    return runtime;
  }

  it('publishes one key; another process on the same database signs with it and publishes the same set', async () => {
    api = await startApiApp({ OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const token = await tokenFor(anna);
    const served = await jwks();
    expect(served.keys).toHaveLength(1);
    expect(served.keys[0]).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
      use: 'sig',
      kid: decodeProtectedHeader(token).kid,
    });
    expect(JSON.stringify(served)).not.toMatch(/"d"/);

    const other = await secondProcess();
    expect(await other.tokens.jwks()).toEqual(served);
    const fromOther = await other.tokens.issue({ address: anna, purpose: 'sign-in' });
    expect((await verifiesAgainst(fromOther.token, served)).sub).toBe(anna);
  });

  it('keeps the private key sealed: a process with another SECRET_KEY cannot sign with it and makes its own', async () => {
    api = await startApiApp();
    const token = await tokenFor(anna);
    const rows = await api.testApp.runtime.db
      .withTables<{ signing_keys: { sealed_private_key: string } }>()
      .selectFrom('signing_keys')
      .select('sealed_private_key')
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.sealed_private_key).toMatch(/^[0-9a-f]{12}\.[\w-]+\.[\w-]+$/);

    const stranger = await secondProcess({ SECRET_KEY: 'another-secret-key-0123456789abcdef-0123456789abcdef' });
    const foreignToken = await stranger.tokens.issue({ address: anna, purpose: 'sign-in' });
    expect(decodeProtectedHeader(foreignToken.token).kid).not.toBe(decodeProtectedHeader(token).kid);
  });

  it('moves a stored key to a new SECRET_KEY while the old one is kept, so dropping the old one later loses nothing', async () => {
    api = await startApiApp();
    const kid = decodeProtectedHeader(await tokenFor(anna)).kid;
    const oldSecret = api.testApp.config.secretKey;
    const newSecret = 'rotated-secret-key-0123456789abcdef-0123456789abcdef';

    // A process started after the rotation (new secret, old one kept as OLD_SECRET_KEYS) signs with the key…
    const rotated = await secondProcess({ SECRET_KEY: newSecret, OLD_SECRET_KEYS: oldSecret });
    expect(decodeProtectedHeader((await rotated.tokens.issue({ address: anna, purpose: 'sign-in' })).token).kid).toBe(kid);
    // …and has sealed it again under the new secret: a process that no longer holds the old one still has it.
    const withoutOld = await secondProcess({ SECRET_KEY: newSecret });
    expect(decodeProtectedHeader((await withoutOld.tokens.issue({ address: anna, purpose: 'sign-in' })).token).kid).toBe(kid);
  });

  it('rotates: the new key is published before it signs, and the old one stays published until its tokens expired', async () => {
    api = await startApiApp({ OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const oldToken = await tokenFor(anna);
    const oldKid = decodeProtectedHeader(oldToken).kid;
    const newKid = await api.testApp.runtime.storedSigningKeys!.rotate();

    // Published at once, not signing yet: verifiers with a cached JWKS fetch it before they meet it.
    expect((await jwks()).keys.map((key) => key.kid).sort()).toEqual([oldKid, newKid].sort());
    expect(decodeProtectedHeader(await tokenFor(anna)).kid).toBe(oldKid);

    api.clock.advanceSeconds(12 * 60 + 1);
    const newToken = await tokenFor(anna);
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    const bothPublished = await jwks();
    expect(bothPublished.keys.map((key) => key.kid).sort()).toEqual([oldKid, newKid].sort());
    expect((await verifiesAgainst(newToken, bothPublished)).sub).toBe(anna);

    // Ten minutes (the token lifetime) after the old key stopped signing, no token of it is valid: it goes.
    api.clock.advanceSeconds(10 * 60 + 1);
    expect((await jwks()).keys.map((key) => key.kid)).toEqual([newKid]);
  });

  it('makes one key, not one per request, when the first tokens are signed all at once', async () => {
    api = await startApiApp();
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => api.testApp.runtime.tokens.issue({ address: anna, purpose: 'sign-in' })),
    );
    expect(new Set(tokens.map(({ token }) => decodeProtectedHeader(token).kid)).size).toBe(1);
    expect((await jwks()).keys).toHaveLength(1);
  });

  it('rotates by age (TOKEN_KEY_ROTATION_DAYS): an old signing key gets a successor, published ahead', async () => {
    api = await startApiApp({ TOKEN_KEY_ROTATION_DAYS: '1', OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const firstKid = decodeProtectedHeader(await tokenFor(anna)).kid;
    api.clock.advanceSeconds(86_400 + 1);
    expect(decodeProtectedHeader(await tokenFor(anna)).kid).toBe(firstKid);
    const published = (await jwks()).keys.map((key) => key.kid);
    expect(published).toHaveLength(2);
    api.clock.advanceSeconds(12 * 60 + 1);
    const secondKid = decodeProtectedHeader(await tokenFor(anna)).kid;
    expect(secondKid).not.toBe(firstKid);
    expect(published).toContain(secondKid);
  });

  it('signs with operator-given keys from TOKEN_SIGNING_KEYS: the first signs, the others are only published', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const keys = [0, 1].map(() =>
      generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    );
    api = await startApiApp({ TOKEN_SIGNING_KEYS: keys.join(',') });
    const token = await tokenFor(anna);
    const served = await jwks();
    expect(served.keys).toHaveLength(2);
    expect(decodeProtectedHeader(token).kid).toBe(served.keys[0]!.kid);
    expect((await verifiesAgainst(token, served)).sub).toBe(anna);
  });
});
