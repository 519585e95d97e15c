import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { SealedBox } from '../../src/core/sealed-box.js';
import { SecretKeyring } from '../../src/core/secret-keyring.js';
import { CodeMailer } from '../../src/mail/code-mailer.js';
import type { OutboxStore } from '../../src/mail/outbox-store.js';
import { OutboxWorker } from '../../src/mail/outbox-worker.js';
import { createSmtpTransport } from '../../src/mail/smtp-transport.js';
import { distinctAddresses, outboxRows } from '../support/outbox-rows.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp, testSecretKey } from '../support/test-app.js';

/** The app's real outbox store, with the first claim held at a gate until the test opens it. */
function outboxWithGatedFirstClaim(outbox: OutboxStore) {
  let entered!: () => void;
  let release!: () => void;
  const claimEntered = new Promise<void>((resolve) => (entered = resolve));
  const claimReleased = new Promise<void>((resolve) => (release = resolve));
  let first = true;
  const store: OutboxStore = {
    async claimDue(input) {
      if (first) {
        first = false;
        entered();
        await claimReleased;
      }
      return outbox.claimDue(input);
    },
    markSent: (id, nowMs) => outbox.markSent(id, nowMs),
    scheduleRetry: (id, input) => outbox.scheduleRetry(id, input),
    finish: (id, input) => outbox.finish(id, input),
    extendLease: (id, input) => outbox.extendLease(id, input),
    counts: (nowMs) => outbox.counts(nowMs),
  };
  return { store, claimEntered, releaseClaim: () => release() };
}

// The worker is built by hand around the app's real SQLite outbox and a real SMTP server, because the
// moment under test (stop() arriving while a claim is under way) cannot be timed through the app.
describe('OutboxWorker.stop() while a claim is under way', () => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;

  afterEach(async () => {
    await testApp.close();
    await smtp.close();
  });

  // In `serve`, SIGTERM calls stop() and then closes the transport and the database: a message claimed
  // after stop() returned is cut off mid-send and left 'sending' until its lease (60 s) runs out.
  it('starts no send after stop() has returned, and leaves no message claimed', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, OUTBOX_WORKER: 'off' } });
    for (const address of distinctAddresses(3, 'stopping')) {
      expect((await testApp.runtime.service.request({ address })).ok).toBe(true);
    }
    const { store, claimEntered, releaseClaim } = outboxWithGatedFirstClaim(testApp.runtime.outbox);
    const transport = createSmtpTransport({ smtpUrl: smtp.url });
    const worker = new OutboxWorker({
      store,
      delivery: new CodeMailer({ transport, from: 'otp-app <no-reply@localhost>', appName: 'otp-app' }),
      sealer: new SealedBox(new SecretKeyring(testSecretKey, [], 'outbox seal v1')),
      clock: systemClock,
      retry: { baseDelayMs: 50, maxDelayMs: 500, giveUpAfterMs: 60_000 },
      concurrency: 5,
      pollIntervalMs: 50,
      leaseMs: 60_000,
      sendWindowMs: 3_600_000,
    });
    try {
      worker.start();
      await claimEntered;
      const stopping = worker.stop(5000);
      releaseClaim();
      await stopping;
      const deliveredWhenStopReturned = smtp.messages.length;
      const rowsWhenStopReturned = await outboxRows(testApp.runtime.db);

      await sleep(500);
      expect(smtp.messages.length).toBe(deliveredWhenStopReturned);
      expect(rowsWhenStopReturned.filter((row) => row.status === 'sending')).toEqual([]);
    } finally {
      await worker.stop(5000);
      await transport.close();
    }
  });
});
