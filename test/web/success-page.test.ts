import { afterEach, describe, expect, it, vi } from 'vitest';
import { csrfTokenIn, FormClient } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('the success page', () => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;

  afterEach(async () => {
    vi.useRealTimers();
    await testApp?.close();
    await smtp?.close();
  });

  it('honours a captured "verified" cookie only briefly, so it cannot be replayed later', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url } });
    const browser = new FormClient(testApp.baseUrl);
    await browser.get('/secure-otp/request/');
    await browser.post('/secure-otp/request/', { email: 'anna@example.com' });
    await smtp.waitForMessages(1);
    const verifyPage = await browser.get('/secure-otp/verify/');
    const cookies = verifyPage.headers.getSetCookie().map((cookie) => cookie.split(';')[0]);

    const verified = await browser.raw('/secure-otp/verify/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: csrfTokenIn(verifyPage.body) ?? '',
        email: 'anna@example.com',
        code: latestCodeFor(smtp.messages, 'anna@example.com'),
      }).toString(),
    });
    expect(verified.status).toBe(303);
    const flash = verified.headers
      .getSetCookie()
      .find((cookie) => cookie.startsWith('otp_flash='))
      ?.split(';')[0];
    expect(flash).toBeDefined();

    const replay = (cookie: string) =>
      fetch(`${testApp.baseUrl}/secure-otp/success/`, { headers: { cookie }, redirect: 'manual' });
    expect((await replay([...cookies, flash].join('; '))).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const late = await replay([...cookies, flash].join('; '));
    expect(late.status).toBe(303);
    expect(late.headers.get('location')).toBe('/secure-otp/');
  });
});
