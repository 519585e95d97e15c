import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { dialects } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { FormClient, textOf } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { waitForNoSendInFlight, waitForOutboxFinished } from '../support/outbox-rows.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const paths = pagePaths();

const anna = 'anna@example.com';

describe.each(dialects)('the request → email → verify flow through the HTML forms (%s)', (dialect) => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;
  let clock: FakeClock;
  let browser: FormClient;

  async function start(env: Record<string, string> = {}) {
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, ...env }, clock, dialect });
    browser = new FormClient(testApp.baseUrl);
  }

  async function requestCode(address = anna) {
    await browser.get(paths.request);
    return browser.post(paths.request, { email: address });
  }

  async function mailedCode(address = anna, count = 1) {
    await smtp.waitForMessages(count);
    // The tests jump the clock next: let the worker record the send first (see waitForNoSendInFlight).
    await waitForNoSendInFlight(testApp.runtime.db);
    return latestCodeFor(smtp.messages, address);
  }

  function verify(code: string, address = anna) {
    return browser.post(paths.verify, { email: address, code });
  }

  function wrongCodeFor(code: string) {
    return code === '000000' ? '111111' : '000000';
  }

  beforeEach(async () => {
    smtp = await startSmtpTestServer({
      rejectRecipients: (address) => (address.startsWith('nobody@') ? { code: 550, message: 'No such user' } : undefined),
    });
    clock = new FakeClock(Date.now());
  });

  afterEach(async () => {
    await testApp?.close();
    await smtp.close();
  });

  it('sends a code, lands on the verify page pre-filled, and verifies it once', async () => {
    await start();
    const verifyPage = await requestCode();
    expect(verifyPage.path).toBe(paths.verify);
    expect(textOf(verifyPage.body)).toContain(`Code sent to ${anna} (valid 5 minutes).`);
    expect(verifyPage.body).toContain(`value="${anna}"`);

    const code = await mailedCode();
    const success = await verify(code);
    expect(success.status).toBe(200);
    expect(success.path).toBe(paths.success);
    expect(textOf(success.body)).toContain(`You have proved that you control ${anna}`);

    await browser.get(paths.verify);
    const again = await verify(code);
    expect(again.status).toBe(422);
    expect(textOf(again.body)).toContain('That code is not right.');
  });

  it('says how many attempts are left after a wrong code, then that the code is dead', async () => {
    await start();
    await requestCode();
    const code = await mailedCode();
    for (const left of [4, 3, 2, 1]) {
      const page = await verify(wrongCodeFor(code));
      expect(page.status).toBe(422);
      expect(textOf(page.body)).toContain(`${left} ${left === 1 ? 'attempt' : 'attempts'} left`);
    }
    const fifth = await verify(wrongCodeFor(code));
    expect(fifth.status).toBe(423);
    expect(textOf(fifth.body)).toContain('Too many wrong attempts: this code no longer works');
    expect((await verify(code)).status).toBe(423);
  });

  it('answers an address that has no code exactly like a wrong code', async () => {
    await start();
    await requestCode();
    const code = await mailedCode();
    const withCode = await verify(wrongCodeFor(code));
    const withoutCode = await verify(wrongCodeFor(code), 'bob@example.com');
    expect(withoutCode.status).toBe(withCode.status);
    expect(textOf(withoutCode.body).replace('bob@example.com', anna)).toBe(textOf(withCode.body));
  });

  it('tells an expired code apart from a wrong one', async () => {
    await start();
    await requestCode();
    const code = await mailedCode();
    clock.advanceSeconds(301);
    const page = await verify(code);
    expect(page.status).toBe(410);
    expect(textOf(page.body)).toContain('That code has expired');
  });

  it('refuses a resend inside the cooldown, saying how long to wait, and keeps the first code valid', async () => {
    await start();
    await requestCode();
    const first = await mailedCode();
    const resend = await browser.post(paths.request, { email: anna, resend: '1' });
    expect(resend.status).toBe(429);
    expect(resend.headers.get('retry-after')).toBe('60');
    expect(textOf(resend.body)).toContain('Wait 60 s before asking for another');

    clock.advanceSeconds(61);
    const resent = await browser.post(paths.request, { email: anna, resend: '1' });
    expect(textOf(resent.body)).toContain('New code sent.');
    await smtp.waitForMessages(2);
    expect((await verify(first)).path).toBe(paths.success);
  });

  it('does not refill the guessing budget on resend', async () => {
    await start();
    await requestCode();
    const first = await mailedCode();
    for (let i = 0; i < 3; i++) await verify(wrongCodeFor(first));
    clock.advanceSeconds(61);
    await browser.post(paths.request, { email: anna, resend: '1' });
    const second = await mailedCode(anna, 2);
    const fourth = await verify(wrongCodeFor(second) === first ? '222222' : wrongCodeFor(second));
    expect(textOf(fourth.body)).toContain('1 attempt left');
    expect((await verify('333333')).status).toBe(423);
    expect((await verify(second)).status).toBe(423);
  });

  it('stops sending after five emails an hour to one address', async () => {
    await start({ OTP_RESEND_COOLDOWN_SECONDS: '0' });
    for (let i = 0; i < 5; i++) expect((await requestCode()).path).toBe(paths.verify);
    const sixth = await requestCode();
    expect(sixth.status).toBe(429);
    expect(textOf(sixth.body)).toContain('Too many codes were sent to this address');
    // The refusal queued nothing (the code row and its email are written together), and once the outbox
    // has finished, every email it had is at the mail server: five, not six.
    const rows = await waitForOutboxFinished(testApp.runtime.db);
    expect(rows.map((row) => row.status)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    expect(smtp.messages).toHaveLength(5);
  });

  it('stops typed codes for an address after its limit of consecutive wrong attempts across its codes', async () => {
    await start({ OTP_RESEND_COOLDOWN_SECONDS: '0', OTP_ADDRESS_FAILURE_LIMIT: '7' });
    await requestCode();
    for (let i = 0; i < 5; i++) await verify(wrongCodeFor(await mailedCode()));
    await requestCode();
    const code = await mailedCode(anna, 2);
    for (let i = 0; i < 1; i++) await verify(wrongCodeFor(code));
    const seventh = await verify(wrongCodeFor(code));
    const eighth = await verify(code);
    expect([seventh.status, eighth.status]).toEqual([422, 429]);
    expect(textOf(eighth.body)).toContain('Too many wrong attempts for this address');
    expect(eighth.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('tells the person when the email could not be delivered, and leaves no usable code', async () => {
    await start();
    const page = await requestCode('nobody@example.com');
    expect(page.path).toBe(paths.verify);
    await vi.waitFor(
      async () => {
        const message = await testApp.runtime.db.selectFrom('outbox_messages').select('status').executeTakeFirstOrThrow();
        expect(message.status).toBe('failed');
      },
      { timeout: 10_000, interval: 50 },
    );
    const reloaded = await browser.get(paths.verify);
    expect(textOf(reloaded.body)).toContain('We could not deliver the email to this address');
    const codes = await testApp.runtime.db.selectFrom('otp_codes').select('status').execute();
    expect(codes.map((row) => row.status)).toEqual(['withdrawn']);
    // The server refused the recipient (550 no such user): a bounce, so the address is suppressed and
    // asking again for it says why; the person fixes the address and gets a code at once (no cooldown).
    const again = await requestCode('nobody@example.com');
    expect(again.status).toBe(422);
    expect(textOf(again.body)).toContain('We could not deliver email to this address. Check the address or use another one.');
    expect((await requestCode('somebody@example.com')).path).toBe(paths.verify);
  });

  it('lets exactly one of 50 concurrent verifies of the right code succeed', async () => {
    await start();
    await requestCode();
    const code = await mailedCode();
    const results = await Promise.all(Array.from({ length: 50 }, () => verify(code)));
    expect(results.filter((page) => page.path === paths.success)).toHaveLength(1);
  });

  it('counts exactly five of 50 concurrent wrong guesses, then refuses the right code', async () => {
    await start();
    await requestCode();
    const code = await mailedCode();
    const guesses = await Promise.all(Array.from({ length: 50 }, () => verify(wrongCodeFor(code))));
    expect(guesses.filter((page) => page.status === 422)).toHaveLength(4);
    const challenge = await testApp.runtime.db.selectFrom('otp_challenges').select('attempts').executeTakeFirstOrThrow();
    expect(challenge.attempts).toBe(5);
    expect((await verify(code)).status).toBe(423);
  });

  it('keeps no plaintext code in the database file or the logs', async () => {
    await start();
    await requestCode();
    const code = await mailedCode();
    await verify(wrongCodeFor(code));
    const rows = await testApp.runtime.db.selectFrom('otp_codes').selectAll().execute();
    for (const row of rows) {
      const { code_hash: _hash, ...rest } = row;
      expect(JSON.stringify(rest)).not.toContain(code);
      expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(testApp.logLines.join('\n')).not.toContain(code);
    expect(testApp.logLines.join('\n')).not.toContain(anna);
    expect(testApp.logLines.some((line) => line.includes('"event":"otp.requested"'))).toBe(true);
  });
});
