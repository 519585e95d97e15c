import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOtpClient, type OtpClient } from 'otp-app/client';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiTestApp, startApiApp, wrongCodeFor } from '../api/api-app.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { waitForNoSendInFlight } from '../support/outbox-rows.js';

const anna = 'anna@example.com';
const payment = 'Pay 120.00 EUR to ACME Ltd';

describe('otp-app/client against the real server', () => {
  let api: ApiTestApp;
  let client: OtpClient;

  afterEach(async () => {
    await api?.close();
  });

  async function start(env: Record<string, string> = {}) {
    api = await startApiApp(env);
    client = createOtpClient({ baseUrl: api.testApp.baseUrl, apiKey: api.apiKey });
  }

  async function codeFromMail(count: number, address = anna) {
    await api.smtp.waitForMessages(count);
    await waitForNoSendInFlight(api.testApp.runtime.db);
    return latestCodeFor(api.smtp.messages, address);
  }

  it('sends a code, reports its email, and verifies it into a token (typed answers, dates as Date)', async () => {
    await start();
    const sent = await client.sendCode({ email: anna, purpose: 'confirm-action', context: payment });
    expect(sent.ok).toBe(true);
    if (!sent.ok) return;
    expect(sent.value.expiresAt).toBeInstanceOf(Date);
    expect(sent.value.expiresAt.getTime() - api.clock.nowMs()).toBe(300_000);
    const code = await codeFromMail(1);

    const status = await client.codeStatus(sent.value.id);
    expect(status).toEqual({ ok: true, value: { id: sent.value.id, status: 'sent' } });

    const verified = await client.verifyCode({ email: anna, code, purpose: 'confirm-action', context: payment });
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(verified.value.token.split('.')).toHaveLength(3);
    expect(verified.value.expiresAt).toBeInstanceOf(Date);
  });

  it('asks for the email in another language', async () => {
    await start();
    expect((await client.sendCode({ email: anna, locale: 'de' })).ok).toBe(true);
    await api.smtp.waitForMessages(1);
    expect(api.smtp.messages[0]!.html).toContain('lang="de"');
  });

  it('answers a wrong code with invalid_code and the attempts left', async () => {
    await start();
    await client.sendCode({ email: anna });
    const code = await codeFromMail(1);
    const wrong = await client.verifyCode({ email: anna, code: wrongCodeFor(code) });
    expect(wrong).toEqual({
      ok: false,
      error: { code: 'invalid_code', status: 422, detail: expect.any(String), attemptsLeft: 4 },
    });
  });

  it('answers a resend inside the cooldown with rate_limited and the wait', async () => {
    await start();
    expect((await client.sendCode({ email: anna })).ok).toBe(true);
    const again = await client.sendCode({ email: anna });
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.error).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(again.error.code === 'rate_limited' && again.error.retryAfterSeconds).toBe(60);
  });

  it('answers bad input with invalid_request and the fields at fault, an unknown id with no_pending_code', async () => {
    await start();
    const bad = await client.sendCode({ email: 'not an address' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('invalid_request');
    expect(bad.error.code === 'invalid_request' && bad.error.errors.map((error) => error.field)).toContain('email');

    const unknown = await client.codeStatus('00000000-0000-4000-8000-000000000000');
    expect(unknown).toMatchObject({ ok: false, error: { code: 'no_pending_code', status: 404 } });
  });

  it('answers a wrong key with unauthorized', async () => {
    await start();
    const stranger = createOtpClient({ baseUrl: api.testApp.baseUrl, apiKey: 'not-a-key' });
    expect(await stranger.sendCode({ email: anna })).toMatchObject({ ok: false, error: { code: 'unauthorized', status: 401 } });
  });
});

describe('otp-app/client on an unreliable network', () => {
  let server: Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  /** A loopback server that answers each request with the next of `answers` (or never, for `hang`). */
  async function serve(answers: ({ status: number; body: unknown; retryAfter?: string } | 'hang')[]) {
    const seen: string[] = [];
    server = createServer((request, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers.authorization}`);
      const answer = answers.shift() ?? 'hang';
      if (answer === 'hang') return;
      if (answer.retryAfter !== undefined) response.setHeader('retry-after', answer.retryAfter);
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  const unavailable = (retryAfterSeconds: number) => ({
    status: 503,
    retryAfter: String(retryAfterSeconds),
    body: {
      type: '/api/v1/docs#problem-unavailable',
      title: 'Temporarily unavailable',
      status: 503,
      detail: 'The service is temporarily unavailable. Try again shortly.',
      code: 'unavailable',
      retryAfterSeconds,
    },
  });
  const delivered = { status: 200, body: { id: 'abc', status: 'sent' } };

  it('retries a 503 after its Retry-After, a bounded number of times', async () => {
    const { baseUrl, seen } = await serve([unavailable(2), unavailable(3), delivered]);
    const waits: number[] = [];
    const client = createOtpClient({ baseUrl, apiKey: 'k', sleep: async (ms) => void waits.push(ms) });
    expect(await client.codeStatus('abc')).toEqual({ ok: true, value: { id: 'abc', status: 'sent' } });
    expect(waits).toEqual([2000, 3000]);
    expect(seen).toEqual(Array(3).fill('GET /api/v1/otp/abc Bearer k'));
  });

  it('gives up after its retries', async () => {
    const { baseUrl, seen } = await serve([unavailable(1), unavailable(1), unavailable(1), delivered]);
    const waits: number[] = [];
    const client = createOtpClient({ baseUrl, apiKey: 'k', sleep: async (ms) => void waits.push(ms) });
    expect(await client.codeStatus('abc')).toMatchObject({ ok: false, error: { code: 'unavailable', retryAfterSeconds: 1 } });
    expect(seen).toHaveLength(3);
    expect(waits).toEqual([1000, 1000]);
  });

  it('does not wait longer than maxRetryWaitMs: a longer Retry-After is answered at once', async () => {
    const { baseUrl, seen } = await serve([unavailable(30), delivered]);
    const client = createOtpClient({ baseUrl, apiKey: 'k', maxRetryWaitMs: 5000, sleep: async () => {} });
    expect(await client.codeStatus('abc')).toMatchObject({ ok: false, error: { code: 'unavailable', retryAfterSeconds: 30 } });
    expect(seen).toHaveLength(1);
  });

  it('abandons an attempt that gets no answer within the timeout', async () => {
    const { baseUrl } = await serve(['hang']);
    const client = createOtpClient({ baseUrl, apiKey: 'k', timeoutMs: 50 });
    expect(await client.codeStatus('abc')).toMatchObject({ ok: false, error: { code: 'timeout' } });
  });

  it('reports a refused connection as network_error and a foreign answer as invalid_response', async () => {
    const closed = await serve([]);
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const client = createOtpClient({ baseUrl: closed.baseUrl, apiKey: 'k' });
    expect(await client.codeStatus('abc')).toMatchObject({ ok: false, error: { code: 'network_error' } });

    const proxy = await serve([
      { status: 502, body: '<html>Bad gateway</html>' },
      { status: 200, body: { unexpected: true } },
    ]);
    const behindProxy = createOtpClient({ baseUrl: proxy.baseUrl, apiKey: 'k' });
    expect(await behindProxy.codeStatus('abc')).toMatchObject({ ok: false, error: { code: 'invalid_response', status: 502 } });
    expect(await behindProxy.codeStatus('abc')).toMatchObject({ ok: false, error: { code: 'invalid_response', status: 200 } });
  });
});
