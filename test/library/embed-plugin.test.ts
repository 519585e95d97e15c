import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createOtpRuntime, createOtpService, generateApiKey, type OtpRuntime, otpPlugin } from 'otp-app';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { FormClient, textOf } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { linkPathIn } from '../support/mail-links.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { cookieAttributes, postCodeRequestWithoutRedirect, setCookieNamed } from '../web/response-cookies.js';

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
      '/otp/api/v1/delivery-events',
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

  describe('the hosted pages under a prefix', () => {
    const paths = pagePaths('/otp');

    async function startShop(options: { returnUrl?: string; prefix?: string } = {}) {
      otp = await createOtpRuntime({
        secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
        smtpUrl: smtp.url,
        databaseUrl: `sqlite:${join(dataDir, 'otp.sqlite')}`,
        publicUrl: 'https://shop.example.com/otp',
        ...(options.returnUrl === undefined ? {} : { api: { returnUrl: options.returnUrl } }),
        logger: pino({ level: 'silent' }),
      });
      app = Fastify();
      await app.register(otpPlugin, { prefix: options.prefix ?? '/otp', otp, pages: true });
      app.addHook('onClose', () => otp!.close());
      app.get('/', async () => 'my app');
      return app.listen({ port: 0, host: '127.0.0.1' });
    }

    it('serves every page, link, form and static file under it, and the code flow works', async () => {
      const baseUrl = await startShop();
      const browser = new FormClient(baseUrl);

      const home = await browser.get(paths.home);
      expect(home.status).toBe(200);
      expect(home.body).toContain(`href="${paths.stylesheet}"`);
      expect(home.body).toContain(`href="${paths.start}"`);
      const landing = await browser.get(paths.start);
      expect(landing.body).toContain(`href="${paths.request}"`);
      expect((await fetch(new URL(paths.stylesheet, baseUrl))).status).toBe(200);
      expect((await fetch(new URL(paths.script, baseUrl))).status).toBe(200);

      const form = await browser.get(paths.request);
      expect(form.body).toContain(`action="${paths.request}"`);
      const verifyPage = await browser.post(paths.request, { email: anna });
      expect(verifyPage.path).toBe(paths.verify);
      expect(verifyPage.body).toContain(`action="${paths.verify}"`);
      expect(verifyPage.body).toContain(`href="${paths.request}"`);
      expect(verifyPage.body).toContain(`src="${paths.script}"`);

      await smtp.waitForMessages(1);
      const success = await browser.post(paths.verify, { email: anna, code: latestCodeFor(smtp.messages, anna) });
      expect(success.path).toBe(paths.success);
      expect(textOf(success.body)).toContain(`You have proved that you control ${anna}`);
    });

    it('mails a one-time link under publicUrl, prefix included, and the link verifies', async () => {
      const baseUrl = await startShop();
      const browser = new FormClient(baseUrl);
      await browser.get(paths.request);
      await browser.post(paths.request, { email: anna });
      const [mail] = await smtp.waitForMessages(1);
      expect(mail?.text).toMatch(/https:\/\/shop\.example\.com\/otp\/secure-otp\/link\/[A-Za-z0-9_-]{43}\n/);

      const linkPath = linkPathIn(mail?.text);
      const confirm = await browser.get(linkPath);
      expect(confirm.body).toContain(`action="${linkPath}"`);
      expect((await browser.post(linkPath, {})).path).toBe(paths.success);
    });

    it('sets its cookies on the prefixed paths, Secure in production', async () => {
      const baseUrl = await startShop({ returnUrl: 'https://shop.example.com/signed-in' });
      const client = new FormClient(baseUrl);
      const start = await client.get(`${paths.start}?state=abc123&lang=de`);
      expect(cookieAttributes(setCookieNamed(start.headers, 'otp_return_state'))).toContain(`path=${paths.start}`);
      expect(cookieAttributes(setCookieNamed(start.headers, 'otp_lang'))).toContain('path=/otp/');
      const formPage = await client.get(paths.request);
      const redirect = await postCodeRequestWithoutRedirect(client, anna, paths);
      expect(redirect.headers.get('location')).toBe(paths.verify);
      const cookies = {
        _csrf: setCookieNamed(formPage.headers, '_csrf'),
        otp_flash: setCookieNamed(redirect.headers, 'otp_flash'),
        otp_pending: setCookieNamed(redirect.headers, 'otp_pending'),
      };
      expect(cookieAttributes(cookies._csrf)).toEqual(expect.arrayContaining(['path=/otp/', 'secure', 'httponly']));
      expect(cookieAttributes(cookies.otp_flash)).toEqual(expect.arrayContaining(['path=/otp/', 'secure', 'httponly']));
      expect(cookieAttributes(cookies.otp_pending)).toEqual(expect.arrayContaining([`path=${paths.start}`, 'secure']));
    });

    it('answers a 404 and a refused form under the prefix with its own pages; the host’s routes get nothing of it', async () => {
      const baseUrl = await startShop();
      const missing = await fetch(new URL('/otp/no-such-page', baseUrl));
      expect(missing.status).toBe(404);
      expect(await missing.text()).toContain(`href="${paths.stylesheet}"`);
      const forged = await fetch(new URL(paths.request, baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=anna%40example.com&_csrf=forged',
      });
      expect(forged.status).toBe(403);
      expect(await forged.text()).toContain(`href="${paths.stylesheet}"`);

      for (const path of ['/?lang=de', '/no-such-page']) {
        const host = await fetch(new URL(path, baseUrl));
        expect(host.headers.get('content-security-policy')).toBeNull();
        expect(host.headers.getSetCookie()).toEqual([]);
      }
      expect((await fetch(new URL('/no-such-page', baseUrl))).headers.get('content-type')).toContain('application/json');
    });

    it('takes the prefix with a trailing slash the same way', async () => {
      const baseUrl = await startShop({ prefix: '/otp/' });
      const form = await new FormClient(baseUrl).get(paths.request);
      expect(form.status).toBe(200);
      expect(form.body).toContain(`action="${paths.request}"`);
      expect(form.body).toContain(`href="${paths.stylesheet}"`);
    });

    it('refuses to mount the pages where publicUrl does not put them, naming the fix', async () => {
      otp = await createOtpRuntime({
        secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
        smtpUrl: smtp.url,
        dataDir,
        publicUrl: 'https://shop.example.com',
        logger: pino({ level: 'silent' }),
      });
      app = Fastify();
      app.addHook('onClose', () => otp!.close());
      await expect(app.register(otpPlugin, { prefix: '/otp', otp, pages: true })).rejects.toThrow(
        'set it to https://shop.example.com/otp',
      );
    });

    it('mails the code only when no publicUrl is given (the standalone server’s address is not the host’s)', async () => {
      otp = await createOtpRuntime({
        secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
        smtpUrl: smtp.url,
        dataDir,
        production: false,
        logger: pino({ level: 'silent' }),
      });
      expect(otp.config.publicUrl).toBeUndefined();
      await otp.service.request({ address: anna, withLink: true });
      const [mail] = await smtp.waitForMessages(1);
      expect(mail?.text).not.toContain('/secure-otp/link/');
      await otp.close();
      otp = undefined;
    });
  });
});
