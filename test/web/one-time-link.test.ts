import { createHash } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { dialects } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { FormClient, textOf } from '../support/form-client.js';
import { codeInText, linkPathIn } from '../support/mail-links.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const paths = pagePaths();

const anna = 'anna@example.com';

describe.each(dialects)('the one-time link beside the code (%s)', (dialect) => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;
  let clock: FakeClock;
  let browser: FormClient;

  async function start(env: Record<string, string> = {}) {
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, ...env }, clock, dialect });
    browser = new FormClient(testApp.baseUrl);
  }

  async function requestCode(): Promise<ParsedMail> {
    const count = smtp.messages.length + 1;
    await browser.get(paths.request);
    await browser.post(paths.request, { email: anna, ...(count > 1 ? { resend: '1' } : {}) });
    return (await smtp.waitForMessages(count))[count - 1]!;
  }

  /** Opens the link and presses the button, as a person does. */
  async function useLink(path: string) {
    await browser.get(path);
    return browser.post(path, {});
  }

  beforeEach(async () => {
    smtp = await startSmtpTestServer();
    clock = new FakeClock(Date.now());
  });

  afterEach(async () => {
    await testApp?.close();
    await smtp.close();
  });

  it('points at PUBLIC_URL, and a GET of it (a mail scanner) verifies nothing', async () => {
    await start({ PUBLIC_URL: 'https://otp.example.com/' });
    const mail = await requestCode();
    expect(mail.text).toMatch(/https:\/\/otp\.example\.com\/secure-otp\/link\/[A-Za-z0-9_-]{43}\n/);
    const path = linkPathIn(mail.text);
    for (let i = 0; i < 3; i++) {
      const scanned = await fetch(new URL(path, testApp.baseUrl));
      expect(scanned.status).toBe(200);
      expect(scanned.headers.get('cache-control')).toBe('no-store');
    }
    const success = await browser.post(paths.verify, { email: anna, code: codeInText(mail.text) });
    expect(success.path).toBe(paths.success);
  });

  it('stores only a hash of the link token, and the queued email only sealed', async () => {
    await start({ OUTBOX_WORKER: 'off' });
    await browser.get(paths.request);
    await browser.post(paths.request, { email: anna });
    const rows = await testApp.runtime.db.selectFrom('otp_codes').select('link_hash').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.link_hash).toMatch(/^[0-9a-f]{64}$/);
    const queued = await testApp.runtime.db.selectFrom('outbox_messages').select('sealed_body').executeTakeFirstOrThrow();
    expect(queued.sealed_body).not.toContain('secure-otp/link');
  });

  it('matches the stored hash to the mailed token', async () => {
    await start();
    const mail = await requestCode();
    const token = linkPathIn(mail.text).split('/').at(-1)!;
    const row = await testApp.runtime.db.selectFrom('otp_codes').select('link_hash').executeTakeFirstOrThrow();
    expect(row.link_hash).toBe(createHash('sha256').update(token).digest('hex'));
  });

  it('verifies on the button, and burns the code and the resent code with it', async () => {
    await start({ OTP_RESEND_COOLDOWN_SECONDS: '0' });
    const first = await requestCode();
    const second = await requestCode();
    const success = await useLink(linkPathIn(first.text));
    expect(success.path).toBe(paths.success);
    expect(textOf(success.body)).toContain(`You have proved that you control ${anna}`);
    for (const mail of [first, second]) {
      await browser.get(paths.verify);
      expect((await browser.post(paths.verify, { email: anna, code: codeInText(mail.text) })).status).toBe(422);
    }
    const again = await useLink(linkPathIn(second.text));
    expect(again.status).toBe(410);
    expect(textOf(again.body)).toContain('This link no longer works');
  });

  it('works through the pause that stops typed codes: it proves the mailbox', async () => {
    await start({ OTP_RESEND_COOLDOWN_SECONDS: '0', OTP_ADDRESS_FAILURE_LIMIT: '3' });
    const mail = await requestCode();
    await browser.get(paths.verify);
    const wrong = codeInText(mail.text) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) await browser.post(paths.verify, { email: anna, code: wrong });
    const typed = await browser.post(paths.verify, { email: anna, code: codeInText(mail.text) });
    expect(typed.status).toBe(429);
    expect(textOf(typed.body)).toContain('Too many wrong attempts for this address');
    expect((await useLink(linkPathIn(mail.text))).path).toBe(paths.success);
  });

  it('accepts the typed code only in the browser that asked for it; the link works in any browser', async () => {
    await start();
    const mail = await requestCode();
    const elsewhere = new FormClient(testApp.baseUrl);
    await elsewhere.get(paths.verify);
    const typedElsewhere = await elsewhere.post(paths.verify, { email: anna, code: codeInText(mail.text) });
    expect(typedElsewhere.status).toBe(422);
    await elsewhere.get(linkPathIn(mail.text));
    expect((await elsewhere.post(linkPathIn(mail.text), {})).path).toBe(paths.success);
  });

  it("spends none of the owner's attempts on another browser's guesses", async () => {
    await start();
    const mail = await requestCode();
    const stranger = new FormClient(testApp.baseUrl);
    await stranger.get(paths.verify);
    const wrong = codeInText(mail.text) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 6; i++) await stranger.post(paths.verify, { email: anna, code: wrong });
    await browser.get(paths.verify);
    expect((await browser.post(paths.verify, { email: anna, code: codeInText(mail.text) })).path).toBe(paths.success);
  });

  it('needs the CSRF token of the confirm page', async () => {
    await start();
    const mail = await requestCode();
    const forged = await browser.post(linkPathIn(mail.text), {}, { withCsrf: false });
    expect(forged.status).toBe(403);
    expect((await useLink(linkPathIn(mail.text))).path).toBe(paths.success);
  });
});
