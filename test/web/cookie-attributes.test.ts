import { describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { freshAppPerTest, productionEnv } from '../support/app-per-test.js';
import { FormClient } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { cookieAttributes, postCodeRequestWithoutRedirect, setCookieNamed } from './response-cookies.js';

const paths = pagePaths();
const ada = 'ada@example.com';

describe('cookie attributes of the pages', () => {
  describe('in the test environment', () => {
    const fixture = freshAppPerTest();

    it('sets the CSRF secret cookie HttpOnly and SameSite=Lax, and not Secure outside production', async () => {
      const page = await new FormClient(fixture.testApp.baseUrl).get(paths.request);
      const csrfCookie = setCookieNamed(page.headers, '_csrf');

      expect(csrfCookie).toBeDefined();
      expect(cookieAttributes(csrfCookie)).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
      expect(cookieAttributes(csrfCookie)).not.toContain('secure');
    });

    it('sets the flash cookie of a code request HttpOnly and SameSite=Lax, and not Secure outside production', async () => {
      const redirect = await postCodeRequestWithoutRedirect(new FormClient(fixture.testApp.baseUrl), ada);
      const flashCookie = setCookieNamed(redirect.headers, 'otp_flash');

      expect(redirect.status).toBe(303);
      expect(flashCookie).toBeDefined();
      expect(cookieAttributes(flashCookie)).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
      expect(cookieAttributes(flashCookie)).not.toContain('secure');
    });

    it('keeps the pending code in one signed cookie of the flow, for the code’s lifetime, without the code', async () => {
      const redirect = await postCodeRequestWithoutRedirect(new FormClient(fixture.testApp.baseUrl), ada);
      const pendingCookie = setCookieNamed(redirect.headers, 'otp_pending');

      expect(cookieAttributes(pendingCookie)).toEqual(
        expect.arrayContaining(['httponly', 'samesite=lax', `path=${paths.start}`, 'max-age=300']),
      );
      expect(cookieAttributes(pendingCookie)).not.toContain('secure');
      expect(decodeURIComponent(pendingCookie ?? '')).toContain(ada);
      await fixture.smtp.waitForMessages(1);
      expect(pendingCookie).not.toContain(latestCodeFor(fixture.smtp.messages, ada));
      // One cookie now holds what three used to: the timing cookie is gone.
      expect(setCookieNamed(redirect.headers, 'otp_timing')).toBeUndefined();
    });
  });

  describe('in production', () => {
    const fixture = freshAppPerTest(productionEnv);

    it('marks the CSRF, flash and pending-code cookies Secure, HttpOnly and SameSite=Lax', async () => {
      const client = new FormClient(fixture.testApp.baseUrl);
      const formPage = await client.get(paths.request);
      const redirect = await postCodeRequestWithoutRedirect(client, ada);
      const csrfCookie = setCookieNamed(formPage.headers, '_csrf');

      expect(redirect.status).toBe(303);
      for (const cookie of [
        csrfCookie,
        setCookieNamed(redirect.headers, 'otp_flash'),
        setCookieNamed(redirect.headers, 'otp_pending'),
      ]) {
        expect(cookie).toBeDefined();
        expect(cookieAttributes(cookie)).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax']));
      }
    });
  });
});
