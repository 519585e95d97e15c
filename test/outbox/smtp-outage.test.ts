import { describe, expect, it } from 'vitest';
import { closedAfterEach } from '../support/closed-after-each.js';
import { dialects } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { codeIn } from '../support/mail-codes.js';
import { distinctAddresses, outboxRows } from '../support/outbox-rows.js';
import { freePort } from '../support/server-process.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp } from '../support/test-app.js';
import { handDrivenWorker } from '../support/worker-runtime.js';

const fastRetries = { OUTBOX_RETRY_BASE_MS: '50', OUTBOX_RETRY_MAX_MS: '500', OUTBOX_WORKER: 'off' };
/** Longer than the longest retry delay above: every message that failed is due again. */
const pastEveryRetrySeconds = 1;

// Requests go straight to the service: the HTTP layer is not the point here, the outbox is. The worker is
// driven by hand (drainOnce) on the app's fake clock: each round of delivery is awaited, and "time passes"
// is a step of the clock, not a sleep.
describe.each(dialects)('the outbox while the SMTP server is down (%s)', (dialect) => {
  const opened = closedAfterEach();

  /** An app whose SMTP server is down: nothing listens on its port until a test starts a server there. */
  async function startAppWithSmtpDown(env: Record<string, string> = {}) {
    const clock = new FakeClock(Date.now());
    const smtpPort = await freePort();
    const smtpUrl = `smtp://127.0.0.1:${smtpPort}`;
    const testApp = opened.add(await startTestApp({ env: { SMTP_URL: smtpUrl, ...fastRetries, ...env }, clock, dialect }));
    const { worker } = opened.add(handDrivenWorker(testApp.runtime, { smtpUrl, clock }));
    return { clock, smtpPort, runtime: testApp.runtime, worker };
  }

  it('delivers all 200 codes of a burst requested while SMTP was down, once it is back, each exactly once', async () => {
    const { clock, smtpPort, runtime, worker } = await startAppWithSmtpDown();
    const { service, db } = runtime;
    const addresses = distinctAddresses(200, 'outage');
    const outcomes = await Promise.all(addresses.map((address) => service.request({ address })));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(200);

    // Two rounds while the server is down: every delivery is refused and rescheduled, nothing is lost or
    // given up. (ECONNECTION rather than ECONNREFUSED when nodemailer's pool re-queued the message itself first.)
    expect(await worker.drainOnce()).toBe(200);
    clock.advanceSeconds(pastEveryRetrySeconds);
    expect(await worker.drainOnce()).toBe(200);
    const whileDown = await outboxRows(db);
    expect(whileDown).toHaveLength(200);
    for (const row of whileDown) {
      expect(row).toMatchObject({ status: 'queued', attempts: 2 });
      expect(row.last_error).toMatch(/ECONNREFUSED|ECONNECTION/);
    }

    const smtp = opened.add(await startSmtpTestServer({ port: smtpPort }));
    clock.advanceSeconds(pastEveryRetrySeconds);
    expect(await worker.drainOnce()).toBe(200);
    const rows = await outboxRows(db);

    expect(rows.map((row) => row.status)).toEqual(Array(200).fill('sent'));
    expect(rows.every((row) => row.sealed_body === null && row.attempts === 3)).toBe(true);
    expect(smtp.messages).toHaveLength(200);
    const recipients = smtp.envelopes.map((envelope) => envelope.to.join(','));
    expect(new Set(recipients)).toEqual(new Set(addresses));

    const verified = await Promise.all(
      smtp.messages.map((mail, i) => service.verify({ address: recipients[i]!, code: codeIn(mail) })),
    );
    expect(verified.filter((outcome) => outcome.ok)).toHaveLength(200);
  }, 60_000);

  it('gives up after OUTBOX_GIVE_UP_SECONDS, records the error, and withdraws the code nobody received', async () => {
    const { clock, runtime, worker } = await startAppWithSmtpDown({ OUTBOX_GIVE_UP_SECONDS: '1' });
    const { service, db } = runtime;
    expect((await service.request({ address: 'patient@example.com' })).ok).toBe(true);

    expect(await worker.drainOnce()).toBe(1);
    expect((await outboxRows(db))[0]).toMatchObject({ status: 'queued', attempts: 1 });
    clock.advanceSeconds(2);
    expect(await worker.drainOnce()).toBe(1);

    const [row] = await outboxRows(db);
    expect(row).toMatchObject({ status: 'failed', sealed_body: null, lease_until: null, attempts: 2 });
    expect(row!.last_error).toMatch(/ECONNREFUSED|ECONNECTION/);
    const code = await db.selectFrom('otp_codes').select('status').executeTakeFirstOrThrow();
    expect(code.status).toBe('withdrawn');
    // Withdrawn, so the person may ask again at once: the cooldown was given back.
    expect((await service.request({ address: 'patient@example.com' })).ok).toBe(true);
  });
});
