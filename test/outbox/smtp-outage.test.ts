import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { codeIn } from '../support/mail-codes.js';
import { distinctAddresses, outboxRows, waitForOutboxFinished } from '../support/outbox-rows.js';
import { freePort } from '../support/server-process.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const fastRetries = { OUTBOX_RETRY_BASE_MS: '50', OUTBOX_RETRY_MAX_MS: '500', OUTBOX_POLL_INTERVAL_MS: '50' };

// Requests go straight to the service: the HTTP layer is not the point here, the outbox is.
describe('the outbox while the SMTP server is down', () => {
  let smtp: SmtpTestServer | undefined;
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
    testApp = undefined;
    smtp = undefined;
  });

  it('delivers all 200 codes of a burst requested while SMTP was down, once it is back, each exactly once', async () => {
    // Nothing listens on this port until the test starts the SMTP server there.
    const smtpPort = await freePort();
    testApp = await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ...fastRetries } });
    const { service, db } = testApp.runtime;
    const addresses = distinctAddresses(200, 'outage');
    const burstStartedAtMs = Date.now();
    const outcomes = await Promise.all(addresses.map((address) => service.request({ address })));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(200);

    // The server really is down: deliveries are refused and rescheduled, nothing is lost or given up.
    // (ECONNECTION rather than ECONNREFUSED when nodemailer's pool re-queued the message itself first.)
    await vi.waitFor(
      async () => {
        const rows = await outboxRows(db);
        expect(rows.some((row) => row.attempts >= 2 && /ECONNREFUSED|ECONNECTION/.test(row.last_error ?? ''))).toBe(true);
      },
      { timeout: 10_000, interval: 50 },
    );
    // Down for 1.5 s in all, counted from the start of the burst.
    await sleep(Math.max(0, 1500 - (Date.now() - burstStartedAtMs)));
    const whileDown = await outboxRows(db);
    expect(whileDown).toHaveLength(200);
    expect(whileDown.every((row) => row.status === 'queued' || row.status === 'sending')).toBe(true);

    smtp = await startSmtpTestServer({ port: smtpPort });
    await smtp.waitForMessages(200, 30_000);
    const rows = await waitForOutboxFinished(db, 10_000);

    expect(rows.map((row) => row.status)).toEqual(Array(200).fill('sent'));
    expect(rows.every((row) => row.sealed_body === null)).toBe(true);
    expect(smtp.messages).toHaveLength(200);
    const recipients = smtp.envelopes.map((envelope) => envelope.to.join(','));
    expect(new Set(recipients)).toEqual(new Set(addresses));

    const verified = await Promise.all(
      smtp.messages.map((mail, i) => service.verify({ address: recipients[i]!, code: codeIn(mail) })),
    );
    expect(verified.filter((outcome) => outcome.ok)).toHaveLength(200);
  }, 60_000);

  it('gives up after OUTBOX_GIVE_UP_SECONDS, records the error, and withdraws the code nobody received', async () => {
    const smtpPort = await freePort();
    testApp = await startTestApp({
      env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, OUTBOX_GIVE_UP_SECONDS: '1', ...fastRetries },
    });
    const { service, db } = testApp.runtime;

    const outcome = await service.request({ address: 'patient@example.com' });
    expect(outcome.ok).toBe(true);

    const [row] = await waitForOutboxFinished(db, 5000);
    expect(row).toMatchObject({ status: 'failed', sealed_body: null, lease_until: null });
    expect(row!.attempts).toBeGreaterThan(1);
    expect(row!.last_error).toMatch(/ECONNREFUSED|ECONNECTION/);
    const code = await db.selectFrom('otp_codes').select('status').executeTakeFirstOrThrow();
    expect(code.status).toBe('withdrawn');
  });
});
