import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FormClient, textOf } from '../support/form-client.js';
import { distinctAddresses, waitForOutboxFinished } from '../support/outbox-rows.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const fastRetries = { OUTBOX_RETRY_BASE_MS: '50', OUTBOX_RETRY_MAX_MS: '500', OUTBOX_POLL_INTERVAL_MS: '50' };
const nobody = 'nobody@example.com';

describe('the outbox when the SMTP server refuses one recipient with 550', () => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;
  let browser: FormClient;

  beforeEach(async () => {
    smtp = await startSmtpTestServer({
      rejectRecipients: (address) => (address === nobody ? { code: 550, message: '5.1.1 No such user' } : undefined),
    });
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, ...fastRetries } });
    browser = new FormClient(testApp.baseUrl);
  });

  afterEach(async () => {
    await testApp.close();
    await smtp.close();
  });

  async function nobodysMessage() {
    return testApp.runtime.db.selectFrom('outbox_messages').selectAll().where('recipient', '=', nobody).executeTakeFirstOrThrow();
  }

  // The refused address asks through the HTML form (the page is under test); the rest of the burst
  // goes straight to the service.
  it('fails that message at once, withdraws its code, delivers the rest of the burst, and says so on the verify page', async () => {
    const others = distinctAddresses(20, 'neighbour');
    await browser.get('/secure-otp/request/');
    const [afterForm, ...outcomes] = await Promise.all([
      browser.post('/secure-otp/request/', { email: nobody }),
      ...others.map((address) => testApp.runtime.service.request({ address })),
    ]);
    expect(afterForm.path).toBe('/secure-otp/verify/');
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);

    // "Quickly": a permanent refusal is not retried (attempts === 1 below), so it settles in one round trip.
    await vi.waitFor(async () => expect((await nobodysMessage()).status).toBe('failed'), { timeout: 5000, interval: 20 });
    const failed = await nobodysMessage();
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toContain('550');
    expect(failed.sealed_body).toBeNull();
    const code = await testApp.runtime.db
      .selectFrom('otp_codes')
      .select('status')
      .where('id', '=', failed.id)
      .executeTakeFirstOrThrow();
    expect(code.status).toBe('withdrawn');

    await smtp.waitForMessages(20, 10_000);
    const rows = await waitForOutboxFinished(testApp.runtime.db);
    const othersRows = rows.filter((row) => row.recipient !== nobody);
    expect(othersRows.map((row) => row.status)).toEqual(Array(20).fill('sent'));
    expect(new Set(smtp.envelopes.map((envelope) => envelope.to.join(',')))).toEqual(new Set(others));
    expect(smtp.messages).toHaveLength(20);

    const verifyPage = await browser.get('/secure-otp/verify/');
    expect(textOf(verifyPage.body)).toContain('We could not deliver the email to this address');
  });

  it('lets the refused address ask again at once: the failed send gave back its cooldown', async () => {
    await browser.get('/secure-otp/request/');
    await browser.post('/secure-otp/request/', { email: nobody });
    await vi.waitFor(async () => expect((await nobodysMessage()).status).toBe('failed'), { timeout: 5000, interval: 20 });

    const again = await testApp.runtime.service.request({ address: nobody });
    expect(again.ok).toBe(true);
  });
});
