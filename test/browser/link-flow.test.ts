import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { browserTestTimeoutMs, checkPageState, describeInBrowser, newBrowserPage, useBrowser } from '../support/browser.js';
import { codeInText, linkPathIn } from '../support/mail-links.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { codeFieldMessage, readDevMailbox, requestCodeInBrowser, submitCode } from './browser-flow.js';

const anna = 'anna@example.com';

describeInBrowser('the one-time link in the email', () => {
  const browser = useBrowser();
  let testApp: TestApp;
  let smtp: SmtpTestServer;

  beforeEach(async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url } });
  });

  afterEach(async () => {
    await testApp.close();
    await smtp.close();
  });

  /** What a mail scanner does: a plain GET (and a HEAD), no cookies, no clicks. */
  async function scan(path: string): Promise<string> {
    const head = await fetch(new URL(path, testApp.baseUrl), { method: 'HEAD' });
    expect(head.status).toBe(200);
    const response = await fetch(new URL(path, testApp.baseUrl));
    expect(response.status).toBe(200);
    return response.text();
  }

  it(
    'verifies nothing when a scanner opens it; the button does, and burns the code too',
    async () => {
      const { context, page } = await newBrowserPage(browser());
      await requestCodeInBrowser(page, testApp.baseUrl, anna);
      const [mail] = await smtp.waitForMessages(1, 20_000);
      const linkPath = linkPathIn(mail?.text);
      const code = codeInText(mail?.text);

      const scanned = await scan(linkPath);
      expect(scanned).toContain('Confirm it’s you');
      await scan(linkPath);

      // The scanner's visits used nothing up: the person's click still works.
      await page.goto(`${testApp.baseUrl}${linkPath}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm it’s you');
      await checkPageState(page, 'link-confirm');
      await page.getByRole('button', { name: 'Yes, it’s me' }).click();
      await page.waitForURL('**/secure-otp/success/');
      expect(await page.getByRole('status').textContent()).toContain(`You have proved that you control ${anna}`);

      // Link and code are one: the code from the same email no longer works…
      await page.goto(`${testApp.baseUrl}/secure-otp/verify/`);
      await page.getByLabel('Email address').fill(anna);
      await submitCode(page, code);
      expect(await codeFieldMessage(page)).toContain('That code is not right.');

      // …and neither does the link a second time.
      await page.goto(`${testApp.baseUrl}${linkPath}`);
      await page.getByRole('button', { name: 'Yes, it’s me' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('This link no longer works');
      await checkPageState(page, 'link-used');
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'is dead once its code was used',
    async () => {
      const { context, page } = await newBrowserPage(browser());
      await requestCodeInBrowser(page, testApp.baseUrl, anna);
      const [mail] = await smtp.waitForMessages(1, 20_000);
      await submitCode(page, codeInText(mail?.text));
      await page.waitForURL('**/secure-otp/success/');

      await page.goto(`${testApp.baseUrl}${linkPathIn(mail?.text)}`);
      await page.getByRole('button', { name: 'Yes, it’s me' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('This link no longer works');
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'refuses a forged link',
    async () => {
      const { context, page } = await newBrowserPage(browser());
      await page.goto(`${testApp.baseUrl}/secure-otp/link/${'A'.repeat(43)}`);
      await page.getByRole('button', { name: 'Yes, it’s me' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('This link no longer works');
      await context.close();
    },
    browserTestTimeoutMs,
  );
});

describeInBrowser('the one-time link through the dev mailbox', () => {
  const browser = useBrowser();
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it(
    'opens the confirm page from the mailbox link and verifies on the button',
    async () => {
      const { context, page } = await newBrowserPage(browser());
      await requestCodeInBrowser(page, testApp.baseUrl, anna);
      const mail = await readDevMailbox(context, testApp.baseUrl);
      await page.goto(`${testApp.baseUrl}${mail.linkPath}`);
      await page.getByRole('button', { name: 'Yes, it’s me' }).click();
      await page.waitForURL('**/secure-otp/success/');
      await context.close();
    },
    browserTestTimeoutMs,
  );
});
