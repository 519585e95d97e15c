import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ApiTestApp, startApiApp, wrongCodeFor } from './api-app.js';
import { expectProblem } from './api-client.js';

const anna = 'anna@example.com';

describe('the JSON API: request → email → verify → signed result', () => {
  let api: ApiTestApp;

  afterEach(async () => {
    await api?.close();
  });

  function verifyToken(token: string, baseUrl = api.testApp.baseUrl) {
    const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', baseUrl));
    return jwtVerify(token, jwks, { issuer: 'otp-app', algorithms: ['EdDSA'], currentDate: new Date(api.clock.nowMs()) });
  }

  it('queues a code (202), mails it, verifies it once and returns a JWT that checks out against the JWKS', async () => {
    api = await startApiApp();
    const requested = await api.call('/api/v1/otp', { body: { email: ' Anna@Example.com ' } });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ id: expect.any(String), expiresAt: expect.any(String), resendAfter: expect.any(String) });
    expect(Date.parse(requested.body.expiresAt) - api.clock.nowMs()).toBe(300_000);

    await api.smtp.waitForMessages(1);
    const code = /(?:^|\s)(\d{6})(?:\s|$)/m.exec(api.smtp.messages[0]!.text ?? '')![1]!;
    const verified = await api.call('/api/v1/otp/verify', { body: { email: 'Anna@example.com', code } });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ verified: true, token: expect.any(String) });

    const { payload, protectedHeader } = await verifyToken(verified.body.token);
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'JWT', kid: expect.any(String) });
    expect(payload).toMatchObject({
      sub: 'anna@example.com',
      purpose: 'sign-in',
      iss: 'otp-app',
      aud: 'api-key:ci',
      jti: expect.any(String),
    });
    expect(payload.ctx).toBeUndefined();
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(payload.iat).toBe(Math.floor(api.clock.nowMs() / 1000));

    const again = await api.call('/api/v1/otp/verify', { body: { email: anna, code } });
    expectProblem(again, 422, 'invalid_code');
  });

  it('writes the email in the `locale` the caller passes (German here), and in English without one', async () => {
    api = await startApiApp({ OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const requested = await api.call('/api/v1/otp', { body: { email: anna, locale: 'de' } });
    expect(requested.status).toBe(202);
    const [german] = await api.smtp.waitForMessages(1);
    expect(german?.subject).toBe('Ihr Anmeldecode für otp-app');
    expect(german?.text).toContain('Geben Sie diesen Code niemandem weiter.');
    expect(german?.html).toContain('<html lang="de"');

    await api.call('/api/v1/otp', { body: { email: 'bert@example.com' } });
    const [, english] = await api.smtp.waitForMessages(2);
    expect(english?.subject).toBe('Your otp-app sign-in code');
  });

  it('gives each token its own jti', async () => {
    api = await startApiApp({ OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const jtis = new Set<unknown>();
    for (let i = 0; i < 2; i++) {
      const { code } = await api.requestAndReadCode({ email: anna });
      const verified = await api.call('/api/v1/otp/verify', { body: { email: anna, code } });
      jtis.add((await verifyToken(verified.body.token)).payload.jti);
    }
    expect(jtis.size).toBe(2);
  });

  it('rejects a tampered token, and one signed by a key that is not in our JWKS', async () => {
    api = await startApiApp();
    const { code } = await api.requestAndReadCode({ email: anna });
    const { token } = (await api.call('/api/v1/otp/verify', { body: { email: anna, code } })).body;
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory@example.com' })).toString('base64url');
    await expect(verifyToken(`${header}.${forgedPayload}.${signature}`)).rejects.toThrow(/signature/i);

    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    await expect(verifyToken(`${header}.${payload}.${flipped}`)).rejects.toThrow();

    const { privateKey } = await generateKeyPair('EdDSA');
    const kid = decodeProtectedHeader(token).kid!;
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey);
    await expect(verifyToken(foreign)).rejects.toThrow(/signature/i);
  });

  it('binds a code to its context: another context, or none, is a wrong code; the token carries its SHA-256', async () => {
    api = await startApiApp();
    const context = 'Pay 120.00 EUR to ACME Ltd';
    const { code } = await api.requestAndReadCode({ email: anna, purpose: 'confirm-action', context });
    expect(api.smtp.messages[0]!.text).toContain(`You are confirming: ${context}`);

    const otherContext = await api.call('/api/v1/otp/verify', {
      body: { email: anna, code, purpose: 'confirm-action', context: 'Pay 9999.00 EUR to Mallory' },
    });
    expectProblem(otherContext, 422, 'invalid_code');
    expect(otherContext.body.attemptsLeft).toBe(4);
    const noContext = await api.call('/api/v1/otp/verify', { body: { email: anna, code, purpose: 'confirm-action' } });
    expectProblem(noContext, 422, 'invalid_code');

    const verified = await api.call('/api/v1/otp/verify', { body: { email: anna, code, purpose: 'confirm-action', context } });
    expect(verified.status).toBe(200);
    const { payload } = await verifyToken(verified.body.token);
    expect(payload.purpose).toBe('confirm-action');
    expect(payload.ctx).toBe(createHash('sha256').update(context, 'utf8').digest('hex'));
  });

  it('scopes a code to its purpose: a sign-in code cannot confirm an action', async () => {
    api = await startApiApp();
    const { code } = await api.requestAndReadCode({ email: anna, purpose: 'sign-in' });
    const wrongPurpose = await api.call('/api/v1/otp/verify', { body: { email: anna, code, purpose: 'confirm-action' } });
    expectProblem(wrongPurpose, 422, 'invalid_code');
    const rightPurpose = await api.call('/api/v1/otp/verify', { body: { email: anna, code, purpose: 'sign-in' } });
    expect(rightPurpose.status).toBe(200);
  });

  it('refuses a purpose outside the configured set with 400 invalid_request naming the field', async () => {
    api = await startApiApp();
    const response = await api.call('/api/v1/otp', { body: { email: anna, purpose: 'wire-money' } });
    expectProblem(response, 400, 'invalid_request');
    expect(response.body.errors).toEqual([{ field: 'purpose', message: expect.any(String) }]);
  });

  it('answers 422 invalid_code with attemptsLeft, then 423 locked, and the right code stays locked', async () => {
    api = await startApiApp();
    const { code } = await api.requestAndReadCode({ email: anna });
    for (const left of [4, 3, 2, 1]) {
      const response = await api.call('/api/v1/otp/verify', { body: { email: anna, code: wrongCodeFor(code) } });
      expectProblem(response, 422, 'invalid_code');
      expect(response.body.attemptsLeft).toBe(left);
    }
    expectProblem(await api.call('/api/v1/otp/verify', { body: { email: anna, code: wrongCodeFor(code) } }), 423, 'locked');
    expectProblem(await api.call('/api/v1/otp/verify', { body: { email: anna, code } }), 423, 'locked');
  });

  it('answers an address that never asked for a code exactly like a wrong code (no 404 that would tell)', async () => {
    api = await startApiApp();
    const { code } = await api.requestAndReadCode({ email: anna });
    const withCode = await api.call('/api/v1/otp/verify', { body: { email: anna, code: wrongCodeFor(code) } });
    const withoutCode = await api.call('/api/v1/otp/verify', { body: { email: 'bob@example.com', code: wrongCodeFor(code) } });
    expect(withoutCode.status).toBe(withCode.status);
    expect(withoutCode.body).toEqual(withCode.body);
  });

  it('answers 410 expired for a code past its lifetime', async () => {
    api = await startApiApp();
    const { code } = await api.requestAndReadCode({ email: anna });
    api.clock.advanceSeconds(301);
    expectProblem(await api.call('/api/v1/otp/verify', { body: { email: anna, code } }), 410, 'expired');
  });

  it('answers 429 rate_limited with Retry-After for a resend inside the cooldown', async () => {
    api = await startApiApp();
    await api.requestAndReadCode({ email: anna });
    const resend = await api.call('/api/v1/otp', { body: { email: anna } });
    expectProblem(resend, 429, 'rate_limited');
    expect(resend.headers.get('retry-after')).toBe('60');
    expect(resend.body.retryAfterSeconds).toBe(60);
  });

  it('answers 429 rate_limited with Retry-After past the send cap per address', async () => {
    api = await startApiApp({ OTP_RESEND_COOLDOWN_SECONDS: '0', OTP_SEND_LIMIT: '2' });
    for (let i = 0; i < 2; i++) expect((await api.call('/api/v1/otp', { body: { email: anna } })).status).toBe(202);
    const third = await api.call('/api/v1/otp', { body: { email: anna } });
    expectProblem(third, 429, 'rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 429 rate_limited with Retry-After once an address is paused for wrong attempts', async () => {
    api = await startApiApp({ OTP_ADDRESS_FAILURE_LIMIT: '3' });
    const { code } = await api.requestAndReadCode({ email: anna });
    for (let i = 0; i < 3; i++) await api.call('/api/v1/otp/verify', { body: { email: anna, code: wrongCodeFor(code) } });
    // Three wrong in a row: even the right code is refused now (the emailed link is the way through).
    const paused = await api.call('/api/v1/otp/verify', { body: { email: anna, code } });
    expectProblem(paused, 429, 'rate_limited');
    expect(Number(paused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 429 rate_limited with Retry-After past the per-key request limit', async () => {
    api = await startApiApp({ API_REQUEST_LIMIT: '2' });
    for (const email of ['a@example.com', 'b@example.com'])
      expect((await api.call('/api/v1/otp', { body: { email } })).status).toBe(202);
    const third = await api.call('/api/v1/otp', { body: { email: 'c@example.com' } });
    expectProblem(third, 429, 'rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    const rows = await api.testApp.runtime.db.selectFrom('outbox_messages').select('recipient').execute();
    expect(rows.map((row) => row.recipient).sort()).toEqual(['a@example.com', 'b@example.com']);
  });

  it("reports a code's delivery status by id, never the code, and 404 no_pending_code for an unknown id", async () => {
    api = await startApiApp();
    const { id, code } = await api.requestAndReadCode({ email: anna });
    await vi.waitFor(async () => {
      const status = await api.call(`/api/v1/otp/${id}`, { template: '/api/v1/otp/{id}' });
      expect(status.body).toEqual({ id, status: 'sent' });
    });
    expect(JSON.stringify((await api.call(`/api/v1/otp/${id}`, { template: '/api/v1/otp/{id}' })).body)).not.toContain(code);

    const failed = await api.call('/api/v1/otp', { body: { email: 'nobody@example.com' } });
    await vi.waitFor(async () => {
      const status = await api.call(`/api/v1/otp/${failed.body.id}`, { template: '/api/v1/otp/{id}' });
      expect(status.body.status).toBe('failed');
    });

    const unknown = await api.call('/api/v1/otp/3f1c7a52-8a1e-4a7e-9a51-0c2b7d6e9f00', { template: '/api/v1/otp/{id}' });
    expectProblem(unknown, 404, 'no_pending_code');
    const malformed = await api.call('/api/v1/otp/not-a-uuid', { template: '/api/v1/otp/{id}' });
    expectProblem(malformed, 400, 'invalid_request');
    expect(malformed.body.errors[0].field).toBe('id');
  });

  it('answers an unknown API path with a 404 problem, not an HTML page', async () => {
    api = await startApiApp();
    expectProblem(await api.call('/api/v1/nothing-here', { unchecked: true }), 404, 'not_found');
  });
});
