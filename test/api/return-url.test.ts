import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { FakeClock } from '../support/fake-clock.js';
import { FormClient } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const paths = pagePaths();

const anna = 'anna@example.com';
const returnUrl = 'https://shop.example.com/otp/callback?step=2';

function cspDirective(headers: Headers, name: string): string[] {
  const directive = (headers.get('content-security-policy') ?? '')
    .split(';')
    .map((part) => part.trim().split(/\s+/))
    .find(([key]) => key === name);
  return directive?.slice(1) ?? [];
}

describe('the hosted pages as a drop-in verification step (RETURN_URL)', () => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
  });

  async function verifyThroughPages(firstPage = paths.request) {
    const browser = new FormClient(testApp.baseUrl);
    await browser.get(firstPage);
    await browser.post(paths.request, { email: anna });
    await smtp.waitForMessages(1);
    return browser.post(paths.verify, { email: anna, code: latestCodeFor(smtp.messages, anna) });
  }

  it('offers the signed token to RETURN_URL in a POST form, and allows that origin (only) in form-action', async () => {
    smtp = await startSmtpTestServer();
    const clock = new FakeClock(Date.now());
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, RETURN_URL: returnUrl }, clock });
    const success = await verifyThroughPages();
    expect(success.path).toBe(paths.success);

    const form = /<form method="post" action="([^"]+)">\s*<input type="hidden" name="token" value="([^"]+)">/.exec(success.body);
    expect(form?.[1]).toBe(returnUrl.replace('&', '&amp;'));
    const token = form![2]!;
    const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', testApp.baseUrl));
    const audience = new URL(returnUrl).origin;
    const { payload } = await jwtVerify(token, jwks, { issuer: 'otp-app', audience, currentDate: new Date(clock.nowMs()) });
    expect(payload).toMatchObject({ sub: anna, purpose: 'sign-in', aud: audience });

    expect(cspDirective(success.headers, 'form-action')).toEqual(["'self'", 'https://shop.example.com']);
  });

  it("posts the calling app's state back beside the token and as its nonce, so a foreign token is caught", async () => {
    smtp = await startSmtpTestServer();
    const clock = new FakeClock(Date.now());
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, RETURN_URL: returnUrl }, clock });
    const success = await verifyThroughPages(`${paths.request}?state=sess-4f2a.9_~x`);
    expect(success.body).toContain('<input type="hidden" name="state" value="sess-4f2a.9_~x">');
    const token = /name="token" value="([^"]+)"/.exec(success.body)![1]!;
    const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', testApp.baseUrl));
    const { payload } = await jwtVerify(token, jwks, { issuer: 'otp-app', currentDate: new Date(clock.nowMs()) });
    expect(payload.nonce).toBe('sess-4f2a.9_~x');
  });

  it('ignores a state that is not a short URL-safe value', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, RETURN_URL: returnUrl } });
    const success = await verifyThroughPages(`${paths.request}?state=${encodeURIComponent('<script>"x')}`);
    expect(success.path).toBe(paths.success);
    expect(success.body).not.toContain('name="state"');
  });

  it('shows no token and keeps form-action to self when no RETURN_URL is configured', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url } });
    const success = await verifyThroughPages();
    expect(success.path).toBe(paths.success);
    expect(success.body).not.toContain('name="token"');
    expect(cspDirective(success.headers, 'form-action')).toEqual(["'self'"]);
  });
});
