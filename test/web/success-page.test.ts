import { afterEach, describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { FakeClock } from '../support/fake-clock.js';
import { csrfTokenIn, FormClient } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const paths = pagePaths();

describe('the success page', () => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
  });

  it('honours a captured "verified" cookie only briefly, so it cannot be replayed later', async () => {
    smtp = await startSmtpTestServer();
    const clock = new FakeClock(Date.now());
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url }, clock });
    const browser = new FormClient(testApp.baseUrl);
    await browser.get(paths.request);
    await browser.post(paths.request, { email: 'anna@example.com' });
    await smtp.waitForMessages(1);
    const verifyPage = await browser.get(paths.verify);
    const cookies = verifyPage.headers.getSetCookie().map((cookie) => cookie.split(';')[0]);

    const verified = await browser.raw(paths.verify, {
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
      fetch(new URL(paths.success, testApp.baseUrl), { headers: { cookie }, redirect: 'manual' });
    expect((await replay([...cookies, flash].join('; '))).status).toBe(200);
    // The page tells time by the service's clock, the one the limits use.
    clock.advanceSeconds(61);
    const late = await replay([...cookies, flash].join('; '));
    expect(late.status).toBe(303);
    expect(late.headers.get('location')).toBe(paths.start);
  });
});
