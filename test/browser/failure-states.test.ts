import type { Page } from 'playwright-core';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { browserTestTimeoutMs, checkPageState, describeInBrowser, newBrowserPage, useBrowser } from '../support/browser.js';
import { FakeClock } from '../support/fake-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { codeFieldMessage, readDevMailbox, requestCodeInBrowser, submitCode, wrongCodeFor } from './browser-flow.js';

const anna = 'anna@example.com';

describeInBrowser('what the pages say when something is wrong, in a real browser', () => {
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

  function resendButton(page: Page) {
    return page.getByRole('button', { name: 'Send a new code' });
  }

  it(
    'puts a wrong code’s message next to the field, announced, and keeps a malformed code as typed',
    async () => {
      const { context, page } = await newBrowserPage(browser());
      await requestCodeInBrowser(page, testApp.baseUrl, anna);
      const { code } = await readDevMailbox(context, testApp.baseUrl);

      await submitCode(page, '12ab');
      expect(await codeFieldMessage(page)).toBe('Enter the 6-digit code from the email.');
      expect(await page.getByLabel('6-digit code').inputValue()).toBe('12ab');
      expect(await page.getByLabel('Email address').textContent()).toBe(anna);
      await checkPageState(page, 'verify-malformed-code');

      await submitCode(page, wrongCodeFor(code));
      expect(await codeFieldMessage(page)).toBe('That code is not right. 4 attempts left.');
      expect(await page.getByLabel('Email address').textContent()).toBe(anna);
      await checkPageState(page, 'verify-wrong-code');
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'says a code has expired, and its link too',
    async () => {
      const { context, page } = await newBrowserPage(browser());
      await requestCodeInBrowser(page, testApp.baseUrl, anna);
      const { code, linkPath } = await readDevMailbox(context, testApp.baseUrl);
      clock.advanceSeconds(301);
      await submitCode(page, code);
      expect(await codeFieldMessage(page)).toBe('That code has expired. Ask for a new one.');
      await checkPageState(page, 'verify-expired');

      await page.goto(`${testApp.baseUrl}${linkPath}`);
      await page.getByRole('button', { name: 'Yes, it’s me' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('This link has expired. Ask for a new code.');
      await checkPageState(page, 'link-expired');
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'kills the code and its link after five wrong attempts',
    async () => {
      const { context, page } = await newBrowserPage(browser());
      await requestCodeInBrowser(page, testApp.baseUrl, anna);
      const { code, linkPath } = await readDevMailbox(context, testApp.baseUrl);
      for (const left of [4, 3, 2, 1]) {
        await submitCode(page, wrongCodeFor(code));
        expect(await codeFieldMessage(page)).toContain(`${left} ${left === 1 ? 'attempt' : 'attempts'} left`);
      }
      await submitCode(page, wrongCodeFor(code));
      expect(await codeFieldMessage(page)).toBe('Too many wrong attempts: this code no longer works. Ask for a new one.');
      await checkPageState(page, 'verify-locked');
      await submitCode(page, code);
      expect(await codeFieldMessage(page)).toContain('Too many wrong attempts');

      await page.goto(`${testApp.baseUrl}${linkPath}`);
      await page.getByRole('button', { name: 'Yes, it’s me' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('Too many wrong attempts: this link and its code no longer work');
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'shows the resend wait with the button disabled, counts down, and enables it at zero',
    async () => {
      const { context, page } = await newBrowserPage(browser());
      // The page's clock is Playwright's: the countdown is driven without waiting a real minute.
      await page.clock.install();
      await requestCodeInBrowser(page, testApp.baseUrl, anna);
      expect(await resendButton(page).isDisabled()).toBe(true);
      const wait = page.locator('#resend-wait');
      expect(await wait.textContent()).toMatch(/^You can ask for a new code in \d+ s\.$/);
      expect(await resendButton(page).getAttribute('aria-describedby')).toBe('resend-wait');
      await checkPageState(page, 'verify-resend-wait');

      await page.clock.runFor(20_000);
      const shown = Number((await page.locator('[data-countdown-seconds]').textContent()) ?? 'NaN');
      expect(shown).toBeGreaterThan(0);
      expect(shown).toBeLessThan(60);
      expect(await resendButton(page).isDisabled()).toBe(true);

      await page.clock.runFor(45_000);
      expect(await resendButton(page).isEnabled()).toBe(true);
      expect(await wait.isHidden()).toBe(true);

      // The server's clock moves too; the new code is sent and the wait starts again.
      clock.advanceSeconds(61);
      await Promise.all([page.waitForURL('**/secure-otp/verify/'), resendButton(page).click()]);
      await expect.poll(() => page.getByRole('status').first().textContent()).toContain('New code sent.');
      expect(await resendButton(page).isDisabled()).toBe(true);
      await readDevMailbox(context, testApp.baseUrl, { count: 2 });
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'answers a missing page accessibly',
    async () => {
      const { context, page } = await newBrowserPage(browser());
      const response = await page.goto(`${testApp.baseUrl}/no/such/page`);
      expect(response?.status()).toBe(404);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
      await checkPageState(page, 'not-found');
      await context.close();
    },
    browserTestTimeoutMs,
  );
});
