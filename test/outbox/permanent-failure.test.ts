import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { FormClient, textOf } from '../support/form-client.js';
import { distinctAddresses, outboxRows } from '../support/outbox-rows.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type HandDrivenWorker, handDrivenWorker } from '../support/worker-runtime.js';

const nobody = 'nobody@example.com';

// The worker is driven by hand (drainOnce): a delivery round is awaited instead of polled for.
describe.each(dialects)('the outbox when the SMTP server refuses one recipient with 550 (%s)', (dialect) => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;
  let driven: HandDrivenWorker;
  let browser: FormClient;

  beforeEach(async () => {
    smtp = await startSmtpTestServer({
      rejectRecipients: (address) => (address === nobody ? { code: 550, message: '5.1.1 No such user' } : undefined),
    });
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, OUTBOX_WORKER: 'off' }, dialect });
    driven = handDrivenWorker(testApp.runtime, { smtpUrl: smtp.url });
    browser = new FormClient(testApp.baseUrl);
  });

  afterEach(async () => {
    await driven.close();
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

    // One round: a permanent refusal is not retried, so it settles at its first attempt.
    expect(await driven.worker.drainOnce()).toBe(21);
    const failed = await nobodysMessage();
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toContain('550');
    expect(failed.sealed_body).toBeNull();
    const code = await testApp.runtime.db
      .selectFrom('otp_codes')
      .select('status')
      .where('id', '=', failed.id)
      .executeTakeFirstOrThrow();
    expect(code.status).toBe('withdrawn');

    const rows = await outboxRows(testApp.runtime.db);
    const othersRows = rows.filter((row) => row.recipient !== nobody);
    expect(othersRows.map((row) => row.status)).toEqual(Array(20).fill('sent'));
    expect(new Set(smtp.envelopes.map((envelope) => envelope.to.join(',')))).toEqual(new Set(others));
    expect(smtp.messages).toHaveLength(20);

    const verifyPage = await browser.get('/secure-otp/verify/');
    expect(textOf(verifyPage.body)).toContain('We could not deliver the email to this address');
  });

  it('suppresses the refused address, as a late bounce would: asking again is refused as undeliverable', async () => {
    await browser.get('/secure-otp/request/');
    await browser.post('/secure-otp/request/', { email: nobody });
    expect(await driven.worker.drainOnce()).toBe(1);
    expect((await nobodysMessage()).status).toBe('failed');

    const entry = await testApp.runtime.suppressions.findSuppression(nobody, testApp.runtime.service.nowMs());
    expect(entry).toMatchObject({ cause: 'bounce', address: nobody });
    expect(entry?.diagnostic).toContain('550');
    expect(await testApp.runtime.service.request({ address: nobody })).toEqual({ ok: false, reason: 'undeliverable' });
    // Only that address.
    expect((await testApp.runtime.service.request({ address: 'somebody@example.com' })).ok).toBe(true);
  });
});

describe.each(dialects)('the outbox when the SMTP server refuses us, not the recipient, with 550 5.7.1 (%s)', (dialect) => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;
  let driven: HandDrivenWorker;

  beforeEach(async () => {
    smtp = await startSmtpTestServer({
      rejectRecipients: () => ({ code: 550, message: '5.7.1 Sender address rejected: not authorised' }),
    });
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, OUTBOX_WORKER: 'off' }, dialect });
    driven = handDrivenWorker(testApp.runtime, { smtpUrl: smtp.url });
  });

  afterEach(async () => {
    await driven.close();
    await testApp.close();
    await smtp.close();
  });

  it('withdraws the code but suppresses nobody (the refusal is about our sender), so the person may ask again at once', async () => {
    const first = await testApp.runtime.service.request({ address: 'anna@example.com' });
    expect(first.ok).toBe(true);
    expect(await driven.worker.drainOnce()).toBe(1);
    expect(await testApp.runtime.suppressions.findSuppression('anna@example.com', testApp.runtime.service.nowMs())).toBeNull();
    // The failed send gave back its cooldown.
    expect((await testApp.runtime.service.request({ address: 'anna@example.com' })).ok).toBe(true);
  });
});
