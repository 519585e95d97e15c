import { afterEach, describe, expect, it, vi } from 'vitest';
import { dialects } from '../support/dialects.js';
import { distinctAddresses, outboxRows, waitForOutboxFinished } from '../support/outbox-rows.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const fastRetries = { OUTBOX_RETRY_BASE_MS: '50', OUTBOX_RETRY_MAX_MS: '500', OUTBOX_POLL_INTERVAL_MS: '50' };

function retryLogLines(testApp: TestApp): string[] {
  return testApp.logLines.filter((line) => line.includes('"event":"otp.delivery_retry"'));
}

// Requests go straight to the service: what is under test is how the worker treats 4xx replies.
describe.each(dialects)('the outbox when the SMTP server answers with a temporary error (%s)', (dialect) => {
  let smtp: SmtpTestServer | undefined;
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
    testApp = undefined;
    smtp = undefined;
  });

  it('retries while the server greets with 421 "try later", then delivers every message once', async () => {
    let refusing = true;
    let refusedConnections = 0;
    smtp = await startSmtpTestServer({
      rejectConnections: () => {
        if (!refusing) return undefined;
        refusedConnections++;
        return { code: 421, message: 'Too busy, try again later' };
      },
    });
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, ...fastRetries }, dialect });
    const { service, db } = testApp.runtime;
    const addresses = distinctAddresses(10, 'greeted');

    for (const outcome of await Promise.all(addresses.map((address) => service.request({ address })))) {
      expect(outcome.ok).toBe(true);
    }
    // "For a while": until every message has been refused at least once and come round again.
    await vi.waitFor(
      async () => {
        const rows = await outboxRows(db);
        expect(rows.filter((row) => row.attempts >= 2)).toHaveLength(10);
      },
      { timeout: 5000, interval: 25 },
    );
    expect(smtp.messages).toHaveLength(0);
    refusing = false;

    await smtp.waitForMessages(10, 10_000);
    const rows = await waitForOutboxFinished(db);
    expect(rows.map((row) => row.status)).toEqual(Array(10).fill('sent'));
    expect(rows.every((row) => row.attempts > 1 && row.sealed_body === null)).toBe(true);
    expect(refusedConnections).toBeGreaterThanOrEqual(10);
    expect(smtp.messages).toHaveLength(10);
    expect(new Set(smtp.envelopes.map((envelope) => envelope.to.join(',')))).toEqual(new Set(addresses));
    expect(retryLogLines(testApp).some((line) => line.includes('421'))).toBe(true);
  });

  // 451 leaves the connection open, so each refusal reaches the outbox as one failed attempt. 421 also
  // hangs up, and nodemailer's pool then re-queues the message itself (up to 5 times) before the outbox
  // hears of it: there, 7 refusals guarantee at least 2 outbox attempts.
  it.each([
    { replyCode: 451, refusals: 2, minAttempts: 3 },
    { replyCode: 421, refusals: 7, minAttempts: 2 },
  ])(
    'retries recipients refused $refusals times with $replyCode at RCPT TO, beside others that pass at once',
    async ({ replyCode, refusals, minAttempts }) => {
      const refusalsLeft = new Map<string, number>();
      smtp = await startSmtpTestServer({
        rejectRecipients: (address) => {
          if (!address.startsWith('busy-')) return undefined;
          const left = refusalsLeft.get(address) ?? refusals;
          refusalsLeft.set(address, left - 1);
          return left > 0 ? { code: replyCode, message: 'Mailbox busy, try again later' } : undefined;
        },
      });
      testApp = await startTestApp({ env: { SMTP_URL: smtp.url, ...fastRetries }, dialect });
      const { service, db } = testApp.runtime;
      const busy = distinctAddresses(5, 'busy');
      const calm = distinctAddresses(5, 'calm');
      const everyone = [...busy, ...calm];

      const outcomes = await Promise.all(everyone.map((address) => service.request({ address })));
      const idOf = new Map(outcomes.map((outcome, i) => [everyone[i]!, outcome.ok ? outcome.codeId : '']));

      await smtp.waitForMessages(10, 15_000);
      const rows = await waitForOutboxFinished(db);
      expect(rows.map((row) => row.status)).toEqual(Array(10).fill('sent'));
      for (const address of busy) {
        expect(refusalsLeft.get(address)).toBe(-1);
        expect(rows.find((row) => row.id === idOf.get(address))?.attempts).toBeGreaterThanOrEqual(minAttempts);
      }
      expect(smtp.messages).toHaveLength(10);
      expect(new Set(smtp.envelopes.map((envelope) => envelope.to.join(',')))).toEqual(new Set(everyone));
      expect(retryLogLines(testApp).some((line) => line.includes(String(replyCode)))).toBe(true);
    },
  );
});
