import { request as httpRequest } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { freshAppPerTest, productionEnv } from '../support/app-per-test.js';
import { FormClient, textOf } from '../support/form-client.js';

const paths = pagePaths();
const ada = 'ada@example.com';

describe('the dev mailbox', () => {
  describe('with a real mail transport', () => {
    const fixture = freshAppPerTest();

    it('is absent', async () => {
      const page = await new FormClient(fixture.testApp.baseUrl).get(paths.devMailbox);
      expect(page.status).toBe(404);
    });
  });

  describe('in production', () => {
    const fixture = freshAppPerTest(productionEnv);

    it('is absent, with the page any unknown address gets', async () => {
      const page = await new FormClient(fixture.testApp.baseUrl).get(paths.devMailbox);
      expect(page.status).toBe(404);
      expect(textOf(page.body)).toContain('There is no page at this address');
    });
  });

  describe('with no mail transport configured', () => {
    const fixture = freshAppPerTest(() => ({ SMTP_URL: undefined }));

    it('keeps the mail, where the code can be read and used', async () => {
      const client = new FormClient(fixture.testApp.baseUrl);
      expect(textOf((await client.get(paths.devMailbox)).body)).toContain('No messages yet.');

      await client.get(paths.request);
      expect((await client.post(paths.request, { email: ada })).path).toBe(paths.verify);
      // The outbox delivers after the response: look until the mail is there.
      const mailbox = await vi.waitFor(
        async () => {
          const page = await client.get(paths.devMailbox);
          if (!page.body.includes(ada)) throw new Error('no mail yet');
          return page;
        },
        { timeout: 5000, interval: 25 },
      );
      const code = /(?:^|\s)(\d{6})(?:\s|$)/m.exec(textOf(mailbox.body))?.[1];

      expect(mailbox.status).toBe(200);
      expect(mailbox.headers.get('cache-control')).toBe('no-store');
      expect(code).toBeDefined();

      await client.get(paths.verify);
      const verified = await client.post(paths.verify, { email: ada, code: code! });
      expect(verified.path).toBe(paths.success);
      expect(textOf(verified.body)).toContain(`You have proved that you control ${ada}`);
    });
  });

  describe('behind a local proxy or tunnel (nginx, ngrok), where every visitor is loopback', () => {
    const fixture = freshAppPerTest(() => ({ SMTP_URL: undefined, TRUST_PROXY: 'true' }));

    const proxied: Record<string, Record<string, string>> = {
      'X-Forwarded-For (ngrok, nginx)': { 'x-forwarded-for': '203.0.113.7' },
      'X-Forwarded-For naming loopback itself': { 'x-forwarded-for': '127.0.0.1' },
      'Forwarded (RFC 7239)': { forwarded: 'for=203.0.113.7;proto=https' },
      'X-Real-IP': { 'x-real-ip': '203.0.113.7' },
      'X-Forwarded-Host': { 'x-forwarded-host': 'abc123.ngrok.app' },
      'X-Forwarded-Proto': { 'x-forwarded-proto': 'https' },
      Via: { via: '1.1 proxy.example' },
      'a Host that is not this machine (a tunnel, DNS rebinding)': { host: 'abc123.ngrok.app' },
    };

    it.each(Object.entries(proxied))('refuses a request with %s: the usual 404 page and a log line', async (_name, headers) => {
      const { testApp } = fixture;
      const refused = await rawGet(testApp.baseUrl, paths.devMailbox, headers);
      expect(refused.status).toBe(404);
      expect(refused.body).toContain('There is no page at this address');
      expect(testApp.logLines.some((line) => line.includes('dev mailbox refused'))).toBe(true);

      // The same machine, asking directly, still reads it.
      const direct = await rawGet(testApp.baseUrl, paths.devMailbox, {});
      expect(direct.status).toBe(200);
      expect(direct.body).toContain('No messages yet.');
    });
  });
});

/** A GET with exactly these headers (fetch will not send a Host of our choosing). */
function rawGet(baseUrl: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(new URL(path, baseUrl), { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}
