import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { browserTestTimeoutMs, checkPageState, describeInBrowser, newBrowserPage, useBrowser } from '../support/browser.js';
import { decodePayload } from '../support/pow-challenges.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { readDevMailbox, submitCode } from './browser-flow.js';

const anna = 'anna@example.com';

/** Every console line about the Content Security Policy, and every page error: both must stay empty. */
function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  return problems;
}

async function submitRequestForm(page: Page, baseUrl: string, address: string): Promise<void> {
  await page.goto(`${baseUrl}/secure-otp/request/`);
  await page.getByLabel('Email address').fill(address);
  await page.getByRole('button', { name: 'Send me a code' }).click();
}

describeInBrowser('the proof-of-work challenge in a real browser (OTP_CHALLENGE=always)', () => {
  const browser = useBrowser();
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.close();
    testApp = undefined;
  });

  it(
    'solves the challenge in the background at the default difficulty, sends the form on, and the code arrives',
    async () => {
      testApp = await startTestApp({ env: { OTP_CHALLENGE: 'always' } });
      const { context, page } = await newBrowserPage(browser());
      const problems = watchForProblems(page);
      // The answer the widget sends: what it cost this browser, from its own report.
      const answers: string[] = [];
      page.on('request', (request) => {
        const altcha = new URLSearchParams(request.postData() ?? '').get('altcha');
        if (request.method() === 'POST' && altcha !== null) answers.push(altcha);
      });

      await submitRequestForm(page, testApp.baseUrl, anna);
      // No click beyond the first: the challenge page solves and submits by itself.
      await page.waitForURL('**/secure-otp/verify/', { timeout: 60_000 });
      expect(await page.getByRole('status').first().textContent()).toContain(`Code sent to ${anna}`);
      expect(answers).toHaveLength(1);
      const { solution } = decodePayload(answers[0]!);
      console.log(
        `[proof of work] Chromium found counter ${solution.counter} in ${solution.time} ms (PBKDF2-SHA-256, ${testApp.config.challenge.pbkdf2Iterations} iterations per attempt)`,
      );

      const { code } = await readDevMailbox(context, testApp.baseUrl, { axe: false });
      await submitCode(page, code);
      await page.waitForURL('**/secure-otp/success/');
      expect(problems).toEqual([]);
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'the challenge page, while the browser works on it: accessible, nothing refused by the CSP',
    async () => {
      // A challenge that takes far longer than the test, so the page can be looked at while it is being solved.
      testApp = await startTestApp({ env: { OTP_CHALLENGE: 'always', OTP_CHALLENGE_MEAN_ATTEMPTS: '10000000' } });
      const { context, page } = await newBrowserPage(browser());
      const problems = watchForProblems(page);
      await submitRequestForm(page, testApp.baseUrl, anna);
      await page.waitForSelector('altcha-widget[data-pow-challenge] input[type="checkbox"]');
      await expect
        .poll(() =>
          page
            .locator('altcha-widget')
            .getAttribute('data-state')
            .catch(() => null),
        )
        .not.toBe('unverified');
      expect(await page.getByRole('status').first().textContent()).toContain(
        'we ask your browser for a short calculation. It takes a second or two; then the code is sent by itself.',
      );
      expect(await page.locator('noscript').count()).toBe(1);
      await checkPageState(page, 'pow-challenge-solving');
      expect(problems).toEqual([]);
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'in German: the page and the widget speak German',
    async () => {
      testApp = await startTestApp({ env: { OTP_CHALLENGE: 'always', OTP_CHALLENGE_MEAN_ATTEMPTS: '10000000' } });
      const { context, page } = await newBrowserPage(browser(), { locale: 'de-DE' });
      const problems = watchForProblems(page);
      await page.goto(`${testApp.baseUrl}/secure-otp/request/`);
      await page.getByLabel('E-Mail-Adresse').fill(anna);
      await page.getByRole('button', { name: 'Code zusenden' }).click();
      await expect.poll(() => page.locator('altcha-widget').textContent()).toContain('Wird überprüft');
      expect(await page.getByRole('status').first().textContent()).toContain('danach wird der Code von selbst gesendet');
      await checkPageState(page, 'pow-challenge-solving-de');
      expect(problems).toEqual([]);
      await context.close();
    },
    browserTestTimeoutMs,
  );

  it(
    'without JavaScript: says plainly why no code can be sent now and when to try again; accessible',
    async () => {
      testApp = await startTestApp({ env: { OTP_CHALLENGE: 'always' } });
      const noScript = await newBrowserPage(browser(), { javaScriptEnabled: false });
      await submitRequestForm(noScript.page, testApp.baseUrl, anna);
      // Playwright's text engine skips <noscript>; without script the browser shows its content, so find it by CSS.
      const message = noScript.page.locator('noscript p.message');
      await message.waitFor();
      expect(await message.textContent()).toMatch(/^That calculation needs JavaScript.*Try again in 5 minutes/);
      expect((await message.boundingBox())?.height).toBeGreaterThan(0);
      // No promise the page cannot keep without script.
      expect(await noScript.page.getByText('then the code is sent by itself').isVisible()).toBe(false);
      await checkPageState(noScript.page, 'pow-challenge-no-javascript', { axe: false });
      await noScript.context.close();

      // axe needs script: the same page, as a browser without JavaScript renders it (the <noscript> text
      // shown, the widget's script not loaded), checked in a browser that runs axe.
      const { context, page } = await newBrowserPage(browser());
      await page.route('**/secure-otp/request/', async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        const response = await route.fetch();
        const body = (await response.text()).replace(/<\/?noscript>/g, '').replace(/<script type="module"[^>]*><\/script>/, '');
        return route.fulfill({ response, body });
      });
      await submitRequestForm(page, testApp.baseUrl, anna);
      await page.getByText('That calculation needs JavaScript').waitFor();
      // Not solving meanwhile: the widget's script was not loaded.
      expect(await page.locator('altcha-widget input').count()).toBe(0);
      await checkPageState(page, 'pow-challenge-no-javascript-axe');
      await context.close();
    },
    browserTestTimeoutMs,
  );
});
