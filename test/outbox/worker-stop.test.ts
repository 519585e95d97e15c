import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxStore } from '../../src/mail/outbox-store.js';
import { dialects } from '../support/dialects.js';
import { distinctAddresses, outboxRows } from '../support/outbox-rows.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { handDrivenWorker } from '../support/worker-runtime.js';

/** The app's real outbox store, with the first claim held at a gate until the test opens it. */
function outboxWithGatedFirstClaim(outbox: OutboxStore) {
  let entered!: () => void;
  let release!: () => void;
  const claimEntered = new Promise<void>((resolve) => (entered = resolve));
  const claimReleased = new Promise<void>((resolve) => (release = resolve));
  let firstClaim: Promise<unknown> | undefined;
  const store: OutboxStore = {
    claimDue(input) {
      if (firstClaim !== undefined) return outbox.claimDue(input);
      entered();
      const claim = claimReleased.then(() => outbox.claimDue(input));
      firstClaim = claim;
      return claim;
    },
    markSent: (id, nowMs) => outbox.markSent(id, nowMs),
    scheduleRetry: (id, input) => outbox.scheduleRetry(id, input),
    giveUpExpired: (id, input) => outbox.giveUpExpired(id, input),
    extendLease: (id, input) => outbox.extendLease(id, input),
    counts: (nowMs) => outbox.counts(nowMs),
  };
  return { store, claimEntered, releaseClaim: () => release(), firstClaimSettled: () => firstClaim?.catch(() => {}) };
}

// The worker is built by hand around the app's real outbox and a real SMTP server, because the moment
// under test (stop() arriving while a claim is under way) cannot be timed through the app.
describe.each(dialects)('OutboxWorker.stop() while a claim is under way (%s)', (dialect) => {
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
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, OUTBOX_WORKER: 'off' }, dialect });
    for (const address of distinctAddresses(3, 'stopping')) {
      expect((await testApp.runtime.service.request({ address })).ok).toBe(true);
    }
    const { store, claimEntered, releaseClaim, firstClaimSettled } = outboxWithGatedFirstClaim(testApp.runtime.outbox);
    const { worker, events, close } = handDrivenWorker(testApp.runtime, { smtpUrl: smtp.url, store });
    try {
      worker.start();
      await claimEntered;
      const stopping = worker.stop(5000);
      releaseClaim();
      await stopping;
      const deliveredWhenStopReturned = smtp.messages.length;
      const rowsWhenStopReturned = await outboxRows(testApp.runtime.db);
      const eventsWhenStopReturned = events.length;

      // The signal instead of a sleep: the claim that was under way has settled, and the worker has had a
      // turn of the event loop to start sending what it took — it must have sent it before stop() returned.
      await firstClaimSettled();
      await new Promise((resolve) => setImmediate(resolve));
      expect(events.slice(eventsWhenStopReturned)).toEqual([]);
      expect(smtp.messages.length).toBe(deliveredWhenStopReturned);
      expect(rowsWhenStopReturned.filter((row) => row.status === 'sending')).toEqual([]);
      expect(await outboxRows(testApp.runtime.db)).toEqual(rowsWhenStopReturned);
    } finally {
      await close();
    }
  });
});
