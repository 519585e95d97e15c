import { join } from 'node:path';
import { expect, it } from 'vitest';
import { browserTestTimeoutMs, describeInBrowser, newBrowserPage, screenshotDir, useBrowser } from '../support/browser.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { embedSiteUrl, startEmbedApp } from '../support/embed-app.js';
import { codeInText, linkPathIn } from '../support/mail-links.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';
import { requestCodeInBrowser, submitCode } from './browser-flow.js';

const anna = 'anna@example.com';

describeInBrowser('the hosted pages under /otp in a host Fastify app (examples/fastify-embed)', () => {
  const browser = useBrowser();
  const opened = closedAfterEach();

  async function start() {
    const smtp = opened.add(await startSmtpTestServer());
    const shop = opened.add(await startEmbedApp({ smtpUrl: smtp.url }));
    return { smtp, shop };
  }

  it(
    'walks from the host’s page through the code flow, every request staying under /otp, with no CSP violation',
    async () => {
      const { smtp, shop } = await start();
      const { context, page } = await newBrowserPage(browser());
      const cspViolations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      const otpRequests: string[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname !== '/') otpRequests.push(url.pathname);
      });

      await page.goto(`${shop.origin}/`);
      await page.getByRole('link', { name: 'Sign in with a code' }).click();
      await page.waitForURL('**/otp/secure-otp/request/');
      // The stylesheet came from under the prefix and applies: the page is not unstyled.
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('main')!).maxWidth)).not.toBe('none');
      await page.getByLabel('Email address').fill(anna);
      await page.getByRole('button', { name: 'Send me a code' }).click();
      await page.waitForURL('**/otp/secure-otp/verify/');
      expect(await page.getByRole('link', { name: 'Change address' }).getAttribute('href')).toBe('/otp/secure-otp/request/');
      // The script (under the prefix too) put the local clock time in.
      await expect.poll(() => page.locator('.expiry').textContent()).toMatch(/^The code expires at \d\d:\d\d( [AP]M)?\.$/);

      const [mail] = await smtp.waitForMessages(1, 20_000);
      await submitCode(page, codeInText(mail?.text));
      await page.waitForURL('**/otp/secure-otp/success/');
      expect(await page.getByRole('status').textContent()).toContain(`You have proved that you control ${anna}`);
      await page
        .getByRole('link', { name: /start|again|done/i })
        .first()
        .click();
      await page.waitForURL('**/otp/secure-otp/');

      expect(otpRequests.filter((path) => !path.startsWith('/otp/'))).toEqual([]);
      expect(cspViolations).toEqual([]);
      // Every cookie otp-app set is scoped to its pages.
      expect((await context.cookies()).filter((cookie) => !cookie.path.startsWith('/otp/'))).toEqual([]);
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'verifies by the one-time link from the email, which carries the prefix',
    async () => {
      const { smtp, shop } = await start();
      const { context, page } = await newBrowserPage(browser());
      await requestCodeInBrowser(page, shop.otpUrl, anna);
      const [mail] = await smtp.waitForMessages(1, 20_000);
      expect(mail?.text).toContain(`${embedSiteUrl}/otp/secure-otp/link/`);
      await page.goto(`${shop.origin}${linkPathIn(mail?.text)}`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm it’s you');
      await page.getByRole('button', { name: 'Yes, it’s me' }).click();
      await page.waitForURL('**/otp/secure-otp/success/');
      expect(await page.getByRole('status').textContent()).toContain(anna);
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'works with JavaScript off: request, code, success, and the expiry said relative to now',
    async () => {
      const { smtp, shop } = await start();
      const { context, page } = await newBrowserPage(browser(), { javaScriptEnabled: false });
      await requestCodeInBrowser(page, shop.otpUrl, anna);
      expect(await page.locator('.expiry').textContent()).toMatch(/^The code expires in [45] minutes\.$/);
      expect(await page.getByRole('button', { name: 'Send a new code' }).isDisabled()).toBe(true);
      const [mail] = await smtp.waitForMessages(1, 20_000);
      await submitCode(page, codeInText(mail?.text));
      await page.waitForURL('**/otp/secure-otp/success/');
      expect(await page.getByRole('status').textContent()).toContain(anna);
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'wraps a 60-character address beside "Change address" on a 390 px phone',
    async () => {
      const longAddress = 'anna-katharina.von-hohenzollern-sigmaringen@example-mail.com';
      expect(longAddress).toHaveLength(60);
      const { shop } = await start();
      const { context, page } = await newBrowserPage(browser(), { viewport: { width: 390, height: 844 } });
      await requestCodeInBrowser(page, shop.otpUrl, longAddress);
      const address = page.locator('output.address');
      expect(await address.textContent()).toBe(longAddress);
      // Nothing sticks out of the page: the address wraps inside it, the link stays on screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const box = await address.boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      expect(await address.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
      const change = await page.getByRole('link', { name: 'Change address' }).boundingBox();
      expect(change!.x + change!.width).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(screenshotDir, 'verify-long-address-390.png'), fullPage: true });
      await context.close();
    },
    browserTestTimeoutMs,
  );
});
