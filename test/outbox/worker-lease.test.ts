import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { waitForOutboxFinished } from '../support/outbox-rows.js';
import { type SlowSmtpServer, startSlowSmtpServer } from '../support/slow-smtp-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Through the service: the subject is the worker's lease, not HTTP.
describe.each(dialects)('a send that takes longer than the lease, with no crash at all (%s)', (dialect) => {
  let smtp: SlowSmtpServer | undefined;
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
    testApp = undefined;
    smtp = undefined;
  });

  // The lease exists for workers that died. A live worker whose send is merely slow must not take its
  // own message over when the lease runs out and send it again: the issue allows a duplicate only when
  // the process dies between the SMTP 250 and the status update.
  it('delivers the email once, not once per lease period', async () => {
    smtp = await startSlowSmtpServer({ delayMs: 2500 });
    testApp = await startTestApp({
      env: { SMTP_URL: smtp.url, OUTBOX_LEASE_SECONDS: '1', OUTBOX_POLL_INTERVAL_MS: '50' },
      dialect,
    });
    expect((await testApp.runtime.service.request({ address: 'patient@example.com' })).ok).toBe(true);

    const [row] = await waitForOutboxFinished(testApp.runtime.db, 10_000);
    expect(row?.status).toBe('sent');
    // Closing waits for every send still under way, so every copy that was started has arrived by now.
    const app = testApp;
    testApp = undefined;
    await app.close();

    expect(smtp.envelopes.map((envelope) => envelope.to.join(','))).toEqual(['patient@example.com']);
    expect(row?.attempts).toBe(1);
  }, 30_000);
});
