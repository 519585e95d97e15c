import { afterEach, describe, expect, it, vi } from 'vitest';
import { dialects } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { FormClient, textOf } from '../support/form-client.js';
import { outboxRows, waitForOutboxFinished } from '../support/outbox-rows.js';
import { freePort } from '../support/server-process.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { handDrivenWorker } from '../support/worker-runtime.js';

const fixedCode = { generate: (length: number) => '4739201856'.slice(0, length) };
const env = {
  OTP_TTL_SECONDS: '30',
  OUTBOX_RETRY_BASE_MS: '50',
  OUTBOX_RETRY_MAX_MS: '500',
  OUTBOX_POLL_INTERVAL_MS: '50',
};

describe.each(dialects)('an email whose code expires before the SMTP server comes back (%s)', (dialect) => {
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.close();
    testApp = undefined;
  });

  // Through the HTML form, because the verify page has to tell the person what happened.
  it('ends expired with its body wiped once the code outlived its 30 s, and the verify page says so', async () => {
    const clock = new FakeClock(Date.now());
    const downPort = await freePort();
    testApp = await startTestApp({
      env: { ...env, SMTP_URL: `smtp://127.0.0.1:${downPort}` },
      clock,
      codeGenerator: fixedCode,
      dialect,
    });
    const browser = new FormClient(testApp.baseUrl);
    await browser.get('/secure-otp/request/');
    expect((await browser.post('/secure-otp/request/', { email: 'stranded@example.com' })).path).toBe('/secure-otp/verify/');

    // The worker has tried and failed; the row waits for a retry the frozen clock has not reached.
    await vi.waitFor(
      async () => {
        const [row] = await outboxRows(testApp!.runtime.db);
        expect(row).toMatchObject({ status: 'queued', attempts: 1 });
        expect(row!.last_error).toMatch(/ECONNREFUSED|ECONNECTION/);
      },
      { timeout: 10_000 },
    );
    clock.advanceSeconds(31);

    const [row] = await waitForOutboxFinished(testApp.runtime.db, 5000);
    expect(row).toMatchObject({ status: 'expired', sealed_body: null, lease_until: null, sent_at: null });
    const page = await browser.get('/secure-otp/verify/');
    expect(textOf(page.body)).toContain('We could not send the email before the code expired');
    expect(testApp.logLines.some((line) => line.includes('"event":"otp.delivery_expired"'))).toBe(true);
    // The code was never received, and it is dead in any case (in the browser's flow it was bound to).
    const verified = await browser.post('/secure-otp/verify/', { email: 'stranded@example.com', code: '473920' });
    expect(textOf(verified.body)).toContain('That code has expired');
  });

  // Straight through the service: only the worker's decision is under test.
  it('is not sent after expiry even when the SMTP server is reachable by then', async () => {
    const clock = new FakeClock(Date.now());
    // Queued with no worker running; a worker delivers only after the code has expired.
    testApp = await startTestApp({ env: { ...env, OUTBOX_WORKER: 'off' }, clock, codeGenerator: fixedCode, dialect });
    expect((await testApp.runtime.service.request({ address: 'late@example.com' })).ok).toBe(true);
    clock.advanceSeconds(31);

    const smtp = await startSmtpTestServer();
    const driven = handDrivenWorker(testApp.runtime, { smtpUrl: smtp.url, clock });
    try {
      expect(await driven.worker.drainOnce()).toBe(1);
      const [row] = await outboxRows(testApp.runtime.db);
      expect(row).toMatchObject({ status: 'expired', sealed_body: null, attempts: 1 });
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await driven.close();
      await smtp.close();
    }
  });
});
