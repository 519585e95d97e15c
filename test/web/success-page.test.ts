import { afterEach, describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { dialects, type TestDialect } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { csrfTokenIn, FormClient } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const paths = pagePaths();
const anna = 'anna@example.com';

describe.each(dialects)('the success page (%s)', (dialect: TestDialect) => {
  let smtp: SmtpTestServer | undefined;
  let testApp: TestApp | undefined;
  let clock: FakeClock;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
    testApp = undefined;
    smtp = undefined;
  });

  /**
   * Anna verifies, and her browser stops at the redirect: it holds the "verified" flash, the success
   * page not yet shown. `flash` is that cookie as an attacker who captured it would replay it.
   */
  async function verifiedButNotShown(): Promise<{ browser: FormClient; flash: string }> {
    smtp = await startSmtpTestServer();
    clock = new FakeClock(Date.now());
    testApp = await startTestApp({
      env: { SMTP_URL: smtp.url, RETURN_URL: 'https://shop.example.com/otp/done' },
      clock,
      dialect,
    });
    const browser = new FormClient(testApp.baseUrl);
    await browser.get(paths.request);
    await browser.post(paths.request, { email: anna });
    await smtp.waitForMessages(1);
    const verifyPage = await browser.get(paths.verify);
    const verified = await browser.raw(paths.verify, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: csrfTokenIn(verifyPage.body) ?? '',
        email: anna,
        code: latestCodeFor(smtp.messages, anna),
      }).toString(),
    });
    expect(verified.status).toBe(303);
    const flash = verified.headers
      .getSetCookie()
      .find((cookie) => cookie.startsWith('otp_flash='))
      ?.split(';')[0];
    expect(flash).toBeDefined();
    return { browser, flash: flash! };
  }

  /** The success page as `cookie` gets it, without following a redirect. */
  function visit(cookie: string) {
    return fetch(new URL(paths.success, testApp!.baseUrl), { headers: { cookie }, redirect: 'manual' });
  }

  async function expectSentAwayWithoutToken(response: Response) {
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(paths.start);
    expect(await response.text()).not.toContain('name="token"');
  }

  it('honours the "verified" flash only briefly, so it cannot be kept and used later', async () => {
    const { browser } = await verifiedButNotShown();
    // The page tells time by the service's clock, the one the limits use.
    clock.advanceSeconds(61);
    await expectSentAwayWithoutToken(await visit(browser.cookieHeader()));
  });

  it('refuses a captured flash replayed from another cookie jar, and still shows the page to its own browser', async () => {
    const { browser, flash } = await verifiedButNotShown();
    await expectSentAwayWithoutToken(await visit(flash));
    // Another browser of the site, with a CSRF secret of its own, fares no better.
    const stranger = new FormClient(testApp!.baseUrl);
    await stranger.get(paths.request);
    expect(stranger.cookieHeader()).toContain('_csrf=');
    await expectSentAwayWithoutToken(await visit(`${stranger.cookieHeader()}; ${flash}`));

    const shown = await visit(browser.cookieHeader());
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('name="token"');
  });

  it('shows the page and its token once: the same cookies sent again get no token', async () => {
    const { browser } = await verifiedButNotShown();
    const everyCookie = browser.cookieHeader();
    const first = await visit(everyCookie);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('name="token"');

    await expectSentAwayWithoutToken(await visit(everyCookie));
    // Still within the minute, and still refused: the spent visit is in the database, not in this request.
    clock.advanceSeconds(30);
    await expectSentAwayWithoutToken(await visit(everyCookie));
  });

  it('shows the page once even to visits racing each other', async () => {
    const { browser } = await verifiedButNotShown();
    const everyCookie = browser.cookieHeader();
    const statuses = await Promise.all(Array.from({ length: 8 }, async () => (await visit(everyCookie)).status));
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 303)).toHaveLength(7);
  });
});
