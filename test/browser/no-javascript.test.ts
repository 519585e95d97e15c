import { afterEach, beforeEach, expect, it } from 'vitest';
import { browserTestTimeoutMs, checkPageState, describeInBrowser, newBrowserPage, useBrowser } from '../support/browser.js';
import { FakeClock } from '../support/fake-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { codeFieldMessage, readDevMailbox, requestCodeInBrowser, submitCode, withSpace, wrongCodeFor } from './browser-flow.js';

const anna = 'anna@example.com';

describeInBrowser('the pages with JavaScript disabled', () => {
  const browser = useBrowser();
  let testApp: TestApp;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    testApp = await startTestApp({ clock });
  });

  afterEach(async () => {
    await testApp.close();
  });

  it(
    'request → mailbox → code → success, with the resend wait rendered by the server',
    async () => {
      const { context, page } = await newBrowserPage(browser(), { javaScriptEnabled: false });
      await requestCodeInBrowser(page, testApp.baseUrl, anna);
      const resend = page.getByRole('button', { name: 'Send a new code' });
      expect(await resend.isDisabled()).toBe(true);
      expect(await page.locator('#resend-wait').textContent()).toBe('You can ask for a new code in 60 s.');
      // Without the script the expiry stays as the server wrote it: relative, true in any time zone.
      expect(await page.locator('.expiry').textContent()).toBe('The code expires in 5 minutes.');
      // axe needs script; the same pages are checked with it in the other suites.
      await checkPageState(page, 'verify-no-js', { axe: false });

      const { code } = await readDevMailbox(context, testApp.baseUrl, { axe: false });
      await submitCode(page, wrongCodeFor(code));
      expect(await codeFieldMessage(page)).toContain('4 attempts left');
      // The server counts the wait with its own clock: a minute on, the button is back.
      clock.advanceSeconds(61);
      await submitCode(page, wrongCodeFor(code));
      expect(await resend.isEnabled()).toBe(true);
      await Promise.all([page.waitForURL('**/secure-otp/verify/'), resend.click()]);
      expect(await page.getByRole('status').first().textContent()).toContain('New code sent.');
      expect(await resend.isDisabled()).toBe(true);

      // The first code still works (two live codes), typed with a space.
      await submitCode(page, withSpace(code));
      await page.waitForURL('**/secure-otp/success/');
      expect(await page.getByRole('status').textContent()).toContain(anna);
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'verifies by the link’s button',
    async () => {
      const { context, page } = await newBrowserPage(browser(), { javaScriptEnabled: false });
      await requestCodeInBrowser(page, testApp.baseUrl, anna);
      const { linkPath } = await readDevMailbox(context, testApp.baseUrl, { axe: false });
      await page.goto(`${testApp.baseUrl}${linkPath}`);
      await page.getByRole('button', { name: 'Yes, it’s me' }).click();
      await page.waitForURL('**/secure-otp/success/');
      await context.close();
    },
    browserTestTimeoutMs,
  );
});
