import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createOtpRuntime, createOtpService, generateApiKey, type OtpRuntime, otpPlugin } from 'otp-app';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestCodeFor } from '../support/mail-codes.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';

const anna = 'anna@example.com';

describe('embedding otp-app in your own Fastify app (the README example)', () => {
  let smtp: SmtpTestServer;
  let dataDir: string;
  let app: FastifyInstance | undefined;
  let otp: OtpRuntime | undefined;
  const apiKey = generateApiKey();

  beforeEach(async () => {
    smtp = await startSmtpTestServer();
    dataDir = mkdtempSync(join(tmpdir(), 'otp-app-library-'));
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    otp = undefined;
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function post(baseUrl: string, path: string, body: unknown) {
    const response = await fetch(new URL(path, baseUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any, headers: response.headers };
  }

  it('mounts the API under a prefix beside the host app’s own routes, and the whole flow works', async () => {
    // --- as in the README ---
    otp = await createOtpRuntime({
      secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
      smtpUrl: smtp.url,
      mailFrom: 'Shop <no-reply@shop.example.com>',
      databaseUrl: `sqlite:${join(dataDir, 'otp.sqlite')}`,
      api: { keyHashes: [apiKey.sha256Hex] },
      logger: pino({ level: 'silent' }),
    });
    app = Fastify();
    await app.register(otpPlugin, { prefix: '/otp', otp, pages: false, api: true });
    app.addHook('onClose', () => otp!.close());
    app.get('/', async () => 'my app');
    // --- end of the README example ---
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });

    const requested = await post(baseUrl, '/otp/api/v1/otp', {
      email: anna,
      purpose: 'confirm-action',
      context: 'Delete project "Apollo"',
    });
    expect(requested.status).toBe(202);
    await smtp.waitForMessages(1);
    expect(smtp.envelopes[0]!.from).toBe('no-reply@shop.example.com');

    const verified = await post(baseUrl, '/otp/api/v1/otp/verify', {
      email: anna,
      code: latestCodeFor(smtp.messages, anna),
      purpose: 'confirm-action',
      context: 'Delete project "Apollo"',
    });
    expect(verified.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL('/otp/.well-known/jwks.json', baseUrl));
    const { payload } = await jwtVerify(verified.body.token, jwks, { issuer: 'otp-app' });
    expect(payload).toMatchObject({ sub: anna, purpose: 'confirm-action' });

    // The plugin stays in its scope: the host's own route gets none of its headers or error handling.
    const home = await fetch(new URL('/', baseUrl));
    expect(await home.text()).toBe('my app');
    expect(home.headers.get('content-security-policy')).toBeNull();
    const openApi = (await (await fetch(new URL('/otp/api/v1/openapi.json', baseUrl))).json()) as any;
    expect(Object.keys(openApi.paths).sort()).toEqual([
      '/otp/.well-known/jwks.json',
      '/otp/api/v1/otp',
      '/otp/api/v1/otp/verify',
      '/otp/api/v1/otp/{id}',
    ]);
    const problem = await post(baseUrl, '/otp/api/v1/otp/verify', { email: anna, code: '000000', extra: 1 });
    expect(problem.body.type).toBe('/otp/api/v1/docs#problem-invalid_request');
    // Without a key, nothing is sent.
    const refused = await fetch(new URL('/otp/api/v1/otp', baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bob@example.com' }),
    });
    expect(refused.status).toBe(401);
  });

  it('uses the service directly, without HTTP', async () => {
    otp = await createOtpRuntime({
      secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
      smtpUrl: smtp.url,
      dataDir,
      logger: pino({ level: 'silent' }),
    });
    const sent = await otp.service.request({ address: anna });
    expect(sent.ok).toBe(true);
    await smtp.waitForMessages(1);
    const outcome = await otp.service.verify({ address: anna, code: latestCodeFor(smtp.messages, anna) });
    expect(outcome).toEqual({ ok: true, address: anna, purpose: 'sign-in' });
    const { token } = await otp.tokens.issue({ address: anna, purpose: 'sign-in' });
    expect(token.split('.')).toHaveLength(3);
    await otp.close();
  });

  it('keeps createOtpService, the former name of createOtpRuntime, working', () => {
    expect(createOtpService).toBe(createOtpRuntime);
  });

  it.each([
    ['clientLimitWindowSeconds', { clientLimitWindowSeconds: 120 }],
    ['ipRequestWindowSeconds, its deprecated former name', { ipRequestWindowSeconds: 120 }],
  ])('takes the per-client limit window as %s', async (_name, option) => {
    otp = await createOtpRuntime({
      secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
      smtpUrl: smtp.url,
      dataDir,
      runWorker: false,
      logger: pino({ level: 'silent' }),
      ...option,
    });
    expect(otp.config.clientLimitWindowSeconds).toBe(120);
    await otp.close();
  });

  it('refuses unsafe options the same way the environment is refused', async () => {
    await expect(createOtpRuntime({ secretKey: 'short', smtpUrl: smtp.url, dataDir })).rejects.toThrow(
      /SECRET_KEY must be at least 32 bytes/,
    );
    await expect(
      createOtpRuntime({ secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789', dataDir }),
    ).rejects.toThrow(/SMTP_URL/);
    await expect(
      createOtpRuntime({
        secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
        smtpUrl: smtp.url,
        dataDir,
        api: { enabled: true },
      }),
    ).rejects.toThrow(/API_KEY_HASHES/);
  });

  it('refuses to mount the pages under a prefix (they link to absolute paths)', async () => {
    const service = await createOtpRuntime({
      secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
      smtpUrl: smtp.url,
      dataDir,
      logger: pino({ level: 'silent' }),
    });
    try {
      await expect(Fastify().register(otpPlugin, { prefix: '/otp', otp: service, pages: true })).rejects.toThrow(
        /without a prefix/,
      );
    } finally {
      await service.close();
    }
  });
});
