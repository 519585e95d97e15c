import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserTestTimeoutMs, checkPageState, describeInBrowser, newBrowserPage, useBrowser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { readDevMailbox } from './browser-flow.js';

describeInBrowser('the pages in German, in a real browser', () => {
  const browser = useBrowser();
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it(
    'follows the browser’s language through request, verify and the link page',
    async () => {
      const { context, page } = await newBrowserPage(browser(), { locale: 'de-DE' });
      await page.goto(`${testApp.baseUrl}/secure-otp/request/`);
      expect(await page.locator('html').getAttribute('lang')).toBe('de');
      await page.getByLabel('E-Mail-Adresse').fill('anna@example.com');
      await page.getByRole('button', { name: 'Code zusenden' }).click();
      await page.waitForURL('**/secure-otp/verify/');
      expect(await page.locator('#resend-wait').textContent()).toMatch(/^Einen neuen Code können Sie in \d+ s anfordern\.$/);
      await checkPageState(page, 'verify-de');

      const mail = await readDevMailbox(context, testApp.baseUrl, { state: 'dev-mailbox-de' });
      expect(mail.text).toContain('Geben Sie diesen Code ein');
      await page.goto(`${testApp.baseUrl}${mail.linkPath}`);
      await checkPageState(page, 'link-confirm-de');
      await page.getByRole('button', { name: 'Ja, ich bin es' }).click();
      await page.waitForURL('**/secure-otp/success/');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Bestätigt');
      await checkPageState(page, 'success-de');

      // The switch in the footer changes the language, and the choice sticks.
      await page.getByRole('link', { name: 'English' }).click();
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      await page.goto(`${testApp.baseUrl}/secure-otp/request/`);
      expect(await page.locator('h1').textContent()).toBe('Request a code');
      await context.close();
    },
    browserTestTimeoutMs,
  );
});
