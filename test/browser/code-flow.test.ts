import { afterEach, expect, it } from 'vitest';
import { browserTestTimeoutMs, checkPageState, describeInBrowser, newBrowserPage, useBrowser } from '../support/browser.js';
import { codeInText } from '../support/mail-links.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { readDevMailbox, requestCodeInBrowser, submitCode, withDash, withSpace } from './browser-flow.js';

const anna = 'anna@example.com';

describeInBrowser('the code flow in a real browser', () => {
  const browser = useBrowser();
  let testApp: TestApp | undefined;
  let smtp: SmtpTestServer | undefined;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
    testApp = undefined;
    smtp = undefined;
  });

  it(
    'walks home → request → dev mailbox → verify → success, every page accessible',
    async () => {
      testApp = await startTestApp();
      const { context, page } = await newBrowserPage(browser());
      const cspViolations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });

      await page.goto(`${testApp.baseUrl}/`);
      await checkPageState(page, 'home');
      await page.getByRole('link', { name: 'Get started' }).click();
      await checkPageState(page, 'landing');
      await page.getByRole('link', { name: 'Request a code' }).click();
      await expect.poll(() => page.url()).toContain('/secure-otp/request/');
      await checkPageState(page, 'request');

      await requestCodeInBrowser(page, testApp.baseUrl, anna);
      await expect.poll(() => page.getByRole('status').first().textContent()).toContain(`Code sent to ${anna}`);
      const codeField = page.getByLabel('6-digit code');
      expect(await codeField.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await codeField.getAttribute('inputmode')).toBe('numeric');
      expect(await page.getByLabel('Email address').textContent()).toBe(anna);
      expect(await page.getByRole('link', { name: 'Change address' }).getAttribute('href')).toBe('/secure-otp/request/');
      expect(await page.locator('time[data-local-time]').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
      // The script put the clock time, in the browser's own zone, where the server said "in 5 minutes".
      await expect.poll(() => page.locator('.expiry').textContent()).toMatch(/^The code expires at \d\d:\d\d( [AP]M)?\.$/);
      await checkPageState(page, 'verify');

      const mail = await readDevMailbox(context, testApp.baseUrl, { state: 'dev-mailbox' });
      // Pasted with a space, as it often comes out of a mail client.
      await submitCode(page, withSpace(mail.code));
      await page.waitForURL('**/secure-otp/success/');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Verified');
      expect(await page.getByRole('status').textContent()).toContain(`You have proved that you control ${anna}`);
      await checkPageState(page, 'success');
      expect(cspViolations).toEqual([]);
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'reads the code from a real SMTP server and accepts it typed with a dash',
    async () => {
      smtp = await startSmtpTestServer();
      testApp = await startTestApp({ env: { SMTP_URL: smtp.url } });
      const { context, page } = await newBrowserPage(browser());
      await requestCodeInBrowser(page, testApp.baseUrl, anna);
      const [mail] = await smtp.waitForMessages(1, 20_000);
      expect(mail?.subject).toBe('Your otp-app sign-in code');
      expect(mail?.html).toContain('/secure-otp/link/');
      await submitCode(page, withDash(codeInText(mail?.text)));
      await page.waitForURL('**/secure-otp/success/');
      expect(await page.getByRole('status').textContent()).toContain(anna);
      await context.close();
    },
    browserTestTimeoutMs,
  );
});
