import { FormClient } from './form-client.js';

/**
 * Requests a code for each address through the HTML request form, as `browsers` people would:
 * each browser loads the form once, then posts one address after another (the verify page it lands
 * on carries the next CSRF token). Throws unless every post lands on the verify page.
 */
export async function requestCodesThroughForm(baseUrl: string, addresses: readonly string[], browsers = 5): Promise<void> {
  await Promise.all(
    Array.from({ length: browsers }, async (_, b) => {
      const browser = new FormClient(baseUrl);
      await browser.get('/secure-otp/request/');
      for (let i = b; i < addresses.length; i += browsers) {
        const page = await browser.post('/secure-otp/request/', { email: addresses[i]! });
        if (page.path !== '/secure-otp/verify/') {
          throw new Error(`request for ${addresses[i]} ended on ${page.path} with ${page.status}`);
        }
      }
    }),
  );
}
