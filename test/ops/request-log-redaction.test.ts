import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { loggableUnmatchedPath } from '../../src/ops/loggable-path.js';
import { FormClient } from '../support/form-client.js';
import { codeInText, linkPathIn } from '../support/mail-links.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'] as const;

/** Every way a hostile or clumsy client could put a real token or code into a request line. */
function hostilePaths(token: string, code: string): string[] {
  return [
    `/secure-otp/link/${token}`,
    `/secure-otp/link/${token}/`,
    `/secure-otp/link/${token}/x`,
    `/secure-otp/link/${token}/x/y/z`,
    `/secure-otp/link/${token}.json`,
    `/secure-otp/link/${token};jsessionid=1`,
    `/secure-otp/link/${token}%zz`,
    `/secure-otp/link//${token}`,
    `/secure-otp//link/${token}/x`,
    `/SECURE-OTP/LINK/${token}/x`,
    `/secure-otp/link/${token}?code=${code}&token=${token}`,
    `/secure-otp/link/${token}/x?code=${code}`,
    `/secure-otp/links/${token}`,
    `/secure-otp/${token}`,
    `/secure-otp/verify/${code}`,
    `/secure-otp/verify/code-${code}`,
    `/secure-otp/verify/?email=ada%40example.com&code=${code}`,
    `/secure-otp/request/?token=${token}`,
    `/${token}`,
    `/${code}`,
    `/static/${token}`,
    `/dev/mailbox/${token}`,
    `/api/v1/otp/${token}`,
    `/api/v1/otp/verify/${code}`,
    `/api/v1/${token}?code=${code}`,
    `/metrics/${token}`,
  ];
}

/** One raw request (any method, any path as written), the body read and dropped. */
function send(baseUrl: string, method: string, path: string): Promise<number> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, method, path }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('request log lines of paths no route matched', () => {
  let testApp: TestApp | undefined;
  let smtp: SmtpTestServer | undefined;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
  });

  it('never carry a real link token or code, whatever the method, path or query string', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url } });
    const browser = new FormClient(testApp.baseUrl);
    await browser.get('/secure-otp/request/');
    await browser.post('/secure-otp/request/', { email: 'ada@example.com' });
    const [mail] = await smtp.waitForMessages(1);
    const token = linkPathIn(mail?.text).split('/').at(-1) ?? '';
    const code = codeInText(mail?.text);
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    const statuses: number[] = [];
    for (const path of hostilePaths(token, code)) {
      for (const method of methods) statuses.push(await send(testApp.baseUrl, method, path));
    }
    // Every request was answered, none with a 500, and each wrote its line (but a malformed URL, which
    // Fastify answers before routing, so no hook sees it).
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    const requestLines = testApp.logLines.filter((line) => (JSON.parse(line) as { msg?: string }).msg === 'request');
    expect(requestLines.length).toBeGreaterThanOrEqual(statuses.length - methods.length);

    for (const line of testApp.logLines) {
      expect(line).not.toContain(token);
      // A truncated token is still most of a secret.
      expect(line).not.toContain(token.slice(0, 12));
      expect(line).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`));
    }
    // Still useful to an operator: the method and a shape of the path.
    expect(requestLines.join('\n')).toContain('"url":"/secure-otp/link/:redacted"');
  });
});

describe('loggableUnmatchedPath', () => {
  it('keeps plain words and drops what could be a secret', () => {
    expect(loggableUnmatchedPath('/no/such/page')).toBe('/no/such/page');
    expect(loggableUnmatchedPath('/static/app.css?v=1')).toBe('/static/app.css');
    expect(loggableUnmatchedPath('/otp/secure-otp/link/abc/x')).toBe('/otp/secure-otp/link/:redacted');
    expect(loggableUnmatchedPath('/secure-otp/verify/123456')).toBe('/secure-otp/verify/:redacted');
    expect(loggableUnmatchedPath(`/${'a'.repeat(43)}/b`)).toBe('/:redacted/b');
    expect(loggableUnmatchedPath('/%2e%2e/etc')).toBe('/:redacted/etc');
    expect(loggableUnmatchedPath('')).toBe('/');
  });
});
