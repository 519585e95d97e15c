import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfTokenIn, FormClient, textOf } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { type SlowSmtpServer, startSlowSmtpServer } from '../support/slow-smtp-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const anna = 'anna@example.com';

// Everything here goes through the HTML forms: the point is what the person's browser waits for.
describe('requests while the SMTP server takes 2 s per message', () => {
  let smtp: SlowSmtpServer;
  let testApp: TestApp;

  beforeEach(async () => {
    smtp = await startSlowSmtpServer({ delayMs: 2000 });
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, OUTBOX_POLL_INTERVAL_MS: '50' } });
  });

  afterEach(async () => {
    await testApp.close();
    await smtp.close();
  });

  it('answers the form with 303 → verify page before the mail server has accepted the email, which then arrives', async () => {
    const browser = new FormClient(testApp.baseUrl);
    const form = await browser.get('/secure-otp/request/');
    const response = await browser.raw('/secure-otp/request/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfTokenIn(form.body)!, email: anna }).toString(),
    });
    // Ordering, not a stopwatch: the response is complete while the sink still holds no message.
    expect(smtp.messages).toHaveLength(0);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/secure-otp/verify/');

    const verifyPage = await browser.get('/secure-otp/verify/');
    expect(smtp.messages).toHaveLength(0);
    expect(textOf(verifyPage.body)).toContain('We are still sending the email');

    await smtp.waitForMessages(1, 10_000);
    const success = await browser.post('/secure-otp/verify/', { email: anna, code: latestCodeFor(smtp.messages, anna) });
    expect(success.path).toBe('/secure-otp/success/');
    const afterwards = await browser.get('/secure-otp/verify/');
    expect(textOf(afterwards.body)).not.toContain('still sending');
  });

  it('answers a burst of 20 form posts while the slow server has not accepted a single one of them', async () => {
    const addresses = Array.from({ length: 20 }, (_, i) => `burst-${i}@example.com`);
    const pages = await Promise.all(
      addresses.map(async (address) => {
        const browser = new FormClient(testApp.baseUrl);
        await browser.get('/secure-otp/request/');
        return browser.post('/secure-otp/request/', { email: address });
      }),
    );
    expect(smtp.messages).toHaveLength(0);
    expect(pages.map((page) => page.path)).toEqual(Array(20).fill('/secure-otp/verify/'));

    // With the default 5 connections at 2 s each, the first ones arrive about 2 s later.
    await smtp.waitForMessages(1, 10_000);
  });
});
