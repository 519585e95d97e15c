import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createOtpClient, type VerifyOtpTokenOptions, verifyOtpToken } from 'otp-app/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestApp, startApiApp } from '../api/api-app.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { waitForNoSendInFlight } from '../support/outbox-rows.js';

const anna = 'anna@example.com';
const payment = 'Pay 120.00 EUR to ACME Ltd';

describe('verifyOtpToken', () => {
  let api: ApiTestApp;
  /** A token for confirm-action bound to `payment`, from a real verify. */
  let token: string;
  let jwksUrl: string;
  let expected: VerifyOtpTokenOptions;

  beforeAll(async () => {
    api = await startApiApp();
    const client = createOtpClient({ baseUrl: api.testApp.baseUrl, apiKey: api.apiKey });
    await client.sendCode({ email: anna, purpose: 'confirm-action', context: payment });
    await api.smtp.waitForMessages(1);
    await waitForNoSendInFlight(api.testApp.runtime.db);
    const code = latestCodeFor(api.smtp.messages, anna);
    const verified = await client.verifyCode({ email: anna, code, purpose: 'confirm-action', context: payment });
    if (!verified.ok) throw new Error(`verify failed: ${JSON.stringify(verified.error)}`);
    token = verified.value.token;
    jwksUrl = new URL('/.well-known/jwks.json', api.testApp.baseUrl).href;
    expected = {
      jwksUrl,
      issuer: 'otp-app',
      audience: 'api-key:ci',
      purpose: 'confirm-action',
      context: payment,
      currentDate: new Date(api.clock.nowMs()),
    };
  });

  afterAll(async () => {
    await api?.close();
  });

  it('accepts the token for exactly what was confirmed, and returns its claims', async () => {
    const checked = await verifyOtpToken(token, expected);
    expect(checked).toEqual({
      ok: true,
      claims: expect.objectContaining({ sub: anna, purpose: 'confirm-action', iss: 'otp-app', aud: 'api-key:ci' }),
    });
    expect(checked.ok && checked.claims.ctx).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['another context', { context: 'Pay 9,999.00 EUR to ACME Ltd' }, 'wrong_context'],
    ['no context where the token is bound to one', { context: undefined }, 'wrong_context'],
    ['another purpose', { purpose: 'sign-in' }, 'wrong_purpose'],
    ['another audience', { audience: 'api-key:someone-else' }, 'wrong_audience'],
    ['another issuer', { issuer: 'evil' }, 'wrong_issuer'],
  ] as const)('refuses it for %s', async (_name, change, reason) => {
    expect(await verifyOtpToken(token, { ...expected, ...change })).toMatchObject({ ok: false, reason });
  });

  it('refuses it once expired', async () => {
    const later = new Date(api.clock.nowMs() + 601_000 + 5_000);
    expect(await verifyOtpToken(token, { ...expected, currentDate: later })).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('refuses a tampered token, one signed by another key under our kid, and one with another algorithm', async () => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory@example.com' })).toString('base64url');
    expect(await verifyOtpToken(`${header}.${forgedPayload}.${signature}`, expected)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });

    const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString());
    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).sign(stranger.privateKey);
    expect(await verifyOtpToken(foreign, expected)).toMatchObject({ ok: false, reason: 'bad_signature' });

    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).sign(new Uint8Array(32));
    expect(await verifyOtpToken(hmac, expected)).toMatchObject({ ok: false, reason: 'bad_signature' });

    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url')}.${payload}.`;
    expect((await verifyOtpToken(unsigned, expected)).ok).toBe(false);
    expect((await verifyOtpToken('not a token', expected)).ok).toBe(false);
  });

  it('takes a key set given inline', async () => {
    const jwks = await (await fetch(jwksUrl)).json();
    expect(await verifyOtpToken(token, { ...expected, jwksUrl: undefined, jwks })).toMatchObject({ ok: true });
    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const otherKeys = { keys: [{ ...(await exportJWK(stranger.publicKey)), kid: jwks.keys[0].kid, alg: 'EdDSA' }] };
    expect(await verifyOtpToken(token, { ...expected, jwksUrl: undefined, jwks: otherKeys })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  describe('with the key set behind a counting server', () => {
    let server: Server;
    let fetches = 0;
    let serveKeys = true;

    beforeAll(async () => {
      const jwks = await (await fetch(jwksUrl)).text();
      server = createServer((_request, response) => {
        fetches += 1;
        if (!serveKeys) return void response.writeHead(500).end('down');
        response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('fetches the key set once and caches it', async () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      for (let i = 0; i < 3; i++) expect(await verifyOtpToken(token, { ...expected, jwksUrl: url })).toMatchObject({ ok: true });
      expect(fetches).toBe(1);
    });

    it('says the keys are unavailable when they cannot be fetched', async () => {
      serveKeys = false;
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/other-jwks.json`;
      expect(await verifyOtpToken(token, { ...expected, jwksUrl: url })).toMatchObject({ ok: false, reason: 'keys_unavailable' });
    });
  });
});
