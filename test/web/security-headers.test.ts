import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfTokenIn, FormClient, type Page, textOf } from '../support/form-client.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const requestPath = '/secure-otp/request/';
const verifyPath = '/secure-otp/verify/';
const ada = 'ada@example.com';
const productionSecretKey = 'production-secret-key-0123456789abcdef-0123456789';

/** `script-src 'self'` → Map { 'script-src' => ["'self'"] } */
function cspDirectives(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const directive of (header ?? '').split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name !== undefined && name !== '') directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** The Set-Cookie line for `name`, or undefined. */
function setCookieNamed(headers: Headers, name: string): string | undefined {
  return headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/** Cookie attributes, lower-cased, without values for flags: ['path=/', 'httponly', 'samesite=lax']. */
function cookieAttributes(setCookie: string | undefined): string[] {
  return (setCookie ?? '')
    .split(';')
    .slice(1)
    .map((attribute) => attribute.trim().toLowerCase());
}

/** Every `<input>` of a page as a map of its attributes. */
function inputsIn(body: string): Map<string, string>[] {
  return [...body.matchAll(/<input\b([^>]*)>/g)].map((match) => {
    const attributes = new Map<string, string>();
    for (const [, name, value] of (match[1] ?? '').matchAll(/([\w-]+)(?:="([^"]*)")?/g)) attributes.set(name!, value ?? '');
    return attributes;
  });
}

function inputNamed(body: string, name: string): Map<string, string> | undefined {
  return inputsIn(body).find((input) => input.get('name') === name && input.get('type') !== 'hidden');
}

/** The text inside the element with this id, or undefined when no element has it. */
function textOfElementWithId(body: string, id: string): string | undefined {
  const match = new RegExp(`<(\\w+)\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(body);
  return match === null ? undefined : textOf(match[2] ?? '');
}

/** Polls until `check` returns a value; the outbox may deliver mail after the response. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Posts the request form without following the redirect, to see the cookies the 303 sets. */
async function postCodeRequestWithoutRedirect(client: FormClient, email: string): Promise<Page> {
  const csrfToken = csrfTokenIn((await client.get(requestPath)).body) ?? '';
  return client.raw(requestPath, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfToken, email }).toString(),
  });
}

describe('security headers, cookies and form markup', () => {
  let smtp: SmtpTestServer;
  let testApp: TestApp | undefined;

  beforeEach(async () => {
    smtp = await startSmtpTestServer();
  });

  afterEach(async () => {
    await testApp?.close();
    testApp = undefined;
    await smtp.close();
  });

  describe('in the test environment', () => {
    beforeEach(async () => {
      testApp = await startTestApp({ env: { SMTP_URL: smtp.url } });
    });

    const pages = ['/', '/secure-otp/', requestPath, verifyPath, '/no/such/page'];

    it.each(pages)('%s has a CSP that allows only our own scripts and no framing', async (path) => {
      const page = await new FormClient(testApp!.baseUrl).get(path);
      const csp = cspDirectives(page.headers.get('content-security-policy'));

      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('default-src')).toEqual(["'none'"]);
      expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      expect(page.headers.get('content-security-policy')).not.toContain('unsafe-eval');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it.each(pages)('%s needs no inline script or style, so the CSP does not break it', async (path) => {
      const page = await new FormClient(testApp!.baseUrl).get(path);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.body).not.toMatch(/<script\b/i);
      expect(page.body).not.toMatch(/<style\b|\sstyle=/i);
      expect(page.body).not.toMatch(/\son[a-z]+=/i);
      expect(page.body).toContain('<link rel="stylesheet" href="/static/app.css">');
    });

    it.each([requestPath, verifyPath])('%s, a form page with a CSRF token, may not be cached', async (path) => {
      const page = await new FormClient(testApp!.baseUrl).get(path);
      expect(csrfTokenIn(page.body)).toBeDefined();
      expect(page.headers.get('cache-control')).toBe('no-store');
    });

    it('a refused form (403) carries the same headers as any page', async () => {
      const client = new FormClient(testApp!.baseUrl);
      await client.get(requestPath);
      const refused = await client.post(requestPath, { email: ada }, { withCsrf: false });
      expect(refused.status).toBe(403);
      expect(cspDirectives(refused.headers.get('content-security-policy')).get('script-src')).toEqual(["'self'"]);
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
      expect(refused.headers.get('cache-control')).toBe('no-store');
    });

    it('sends no HSTS over the plain HTTP of development and tests', async () => {
      const page = await new FormClient(testApp!.baseUrl).get(requestPath);
      expect(page.headers.get('strict-transport-security')).toBeNull();
    });

    it('sets the CSRF secret cookie HttpOnly and SameSite=Lax, and not Secure outside production', async () => {
      const page = await new FormClient(testApp!.baseUrl).get(requestPath);
      const csrfCookie = setCookieNamed(page.headers, '_csrf');

      expect(csrfCookie).toBeDefined();
      expect(cookieAttributes(csrfCookie)).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
      expect(cookieAttributes(csrfCookie)).not.toContain('secure');
    });

    it('sets the flash cookie of a code request HttpOnly and SameSite=Lax, and not Secure outside production', async () => {
      const redirect = await postCodeRequestWithoutRedirect(new FormClient(testApp!.baseUrl), ada);
      const flashCookie = setCookieNamed(redirect.headers, 'otp_flash');

      expect(redirect.status).toBe(303);
      expect(flashCookie).toBeDefined();
      expect(cookieAttributes(flashCookie)).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
      expect(cookieAttributes(flashCookie)).not.toContain('secure');
    });

    it('has no dev mailbox when a real mail transport is configured', async () => {
      const page = await new FormClient(testApp!.baseUrl).get('/dev/mailbox');
      expect(page.status).toBe(404);
    });

    it('gives the email input type="email" and labels it', async () => {
      const page = await new FormClient(testApp!.baseUrl).get(requestPath);
      const email = inputNamed(page.body, 'email');
      expect(email?.get('type')).toBe('email');
      expect(email?.get('autocomplete')).toBe('email');
      expect(page.body).toContain(`<label for="${email?.get('id')}">`);
    });

    it('gives the code input what phones need to offer the code from the email', async () => {
      const page = await new FormClient(testApp!.baseUrl).get(verifyPath);
      const code = inputNamed(page.body, 'code');
      expect(code?.get('autocomplete')).toBe('one-time-code');
      expect(code?.get('inputmode')).toBe('numeric');
      expect(inputNamed(page.body, 'email')?.get('type')).toBe('email');
    });

    it('labels every visible input of both forms with a <label for> that matches its id', async () => {
      const client = new FormClient(testApp!.baseUrl);
      // After a request, the verify page also carries the resend form.
      const bodies = [(await client.get(requestPath)).body, (await client.post(requestPath, { email: ada })).body];
      expect(bodies[1]).toContain('Send a new code');

      for (const body of bodies) {
        const visibleInputs = inputsIn(body).filter((input) => input.get('type') !== 'hidden');
        expect(visibleInputs.length).toBeGreaterThan(0);
        for (const input of visibleInputs) {
          const id = input.get('id');
          expect(id, `input ${input.get('name')} has an id`).toBeTruthy();
          expect(body).toContain(`<label for="${id}">`);
        }
      }
    });

    it('ties an email error to the email field with aria-describedby', async () => {
      const client = new FormClient(testApp!.baseUrl);
      await client.get(requestPath);
      const page = await client.post(requestPath, { email: 'not-an-email' });
      const email = inputNamed(page.body, 'email');
      const describedBy = email?.get('aria-describedby');

      expect(page.status).toBe(400);
      expect(email?.get('aria-invalid')).toBe('true');
      expect(describedBy).toBeTruthy();
      expect(textOfElementWithId(page.body, describedBy!)).toContain('Enter a valid email address');
    });

    it('ties a code error to the code field, and leaves the email field unmarked', async () => {
      const client = new FormClient(testApp!.baseUrl);
      await client.get(verifyPath);
      const page = await client.post(verifyPath, { email: ada, code: '12ab56' });
      const code = inputNamed(page.body, 'code');
      const describedBy = code?.get('aria-describedby');

      expect(page.status).toBe(400);
      expect(code?.get('aria-invalid')).toBe('true');
      expect(describedBy).toBeTruthy();
      expect(textOfElementWithId(page.body, describedBy!)).toContain('Enter the 6-digit code from the email');
      expect(inputNamed(page.body, 'email')?.has('aria-describedby')).toBe(false);
    });

    describe('the flash cookie', () => {
      /** The cookie a real code request sets, and the GET of the verify page that reads it. */
      async function genuineFlash(): Promise<string> {
        const redirect = await postCodeRequestWithoutRedirect(new FormClient(testApp!.baseUrl), ada);
        const setCookie = setCookieNamed(redirect.headers, 'otp_flash');
        expect(setCookie).toBeDefined();
        return setCookie!.split(';')[0]!.slice('otp_flash='.length);
      }

      function verifyPageWithFlash(cookieValue: string): Promise<Response> {
        return fetch(new URL(verifyPath, testApp!.baseUrl), { headers: { cookie: `otp_flash=${cookieValue}` } });
      }

      it('shows the notice and the address when its signature holds', async () => {
        const response = await verifyPageWithFlash(await genuineFlash());
        const body = await response.text();
        expect(response.status).toBe(200);
        expect(textOf(body)).toContain(`Code sent to ${ada}`);
        expect(inputNamed(body, 'email')?.get('value')).toBe(ada);
      });

      it('is ignored, and cleared, when its content was changed under a genuine signature', async () => {
        const signed = decodeURIComponent(await genuineFlash());
        const signature = signed.slice(signed.lastIndexOf('.') + 1);
        const forged = encodeURIComponent(
          `${JSON.stringify({ notice: 'Forged notice', email: 'mallory@evil.example' })}.${signature}`,
        );

        const response = await verifyPageWithFlash(forged);
        const body = await response.text();

        expect(response.status).toBe(200);
        expect(textOf(body)).not.toContain('Forged notice');
        expect(body).not.toContain('mallory@evil.example');
        expect(body).not.toContain('role="status"');
        expect(inputNamed(body, 'email')?.get('value')).toBe('');
        expect(cookieAttributes(setCookieNamed(response.headers, 'otp_flash')).join(';')).toMatch(
          /expires=thu, 01 jan 1970|max-age=0/,
        );
      });

      it('is ignored when it carries no signature or a made-up one', async () => {
        for (const forged of [
          encodeURIComponent(JSON.stringify({ notice: 'Forged notice' })),
          encodeURIComponent(`${JSON.stringify({ notice: 'Forged notice' })}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`),
          '%E0%A4%A',
        ]) {
          const response = await verifyPageWithFlash(forged);
          const body = await response.text();
          expect(response.status, forged).toBe(200);
          expect(textOf(body), forged).not.toContain('Forged notice');
          expect(body, forged).not.toContain('role="status"');
        }
        expect(testApp!.logLines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50)).toEqual([]);
      });
    });
  });

  describe('in production', () => {
    beforeEach(async () => {
      testApp = await startTestApp({ env: { NODE_ENV: 'production', SMTP_URL: smtp.url, SECRET_KEY: productionSecretKey } });
    });

    it('sends HSTS', async () => {
      const page = await new FormClient(testApp!.baseUrl).get(requestPath);
      expect(testApp!.config.isProduction).toBe(true);
      expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d{6,}/);
    });

    it('keeps the same CSP and asks browsers to upgrade insecure requests', async () => {
      const page = await new FormClient(testApp!.baseUrl).get(requestPath);
      const csp = cspDirectives(page.headers.get('content-security-policy'));
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.has('upgrade-insecure-requests')).toBe(true);
    });

    it('marks the CSRF and flash cookies Secure, HttpOnly and SameSite=Lax', async () => {
      const client = new FormClient(testApp!.baseUrl);
      const formPage = await client.get(requestPath);
      const redirect = await postCodeRequestWithoutRedirect(client, ada);
      const flashCookie = setCookieNamed(redirect.headers, 'otp_flash');
      const csrfCookie = setCookieNamed(formPage.headers, '_csrf');

      expect(redirect.status).toBe(303);
      for (const cookie of [csrfCookie, flashCookie]) {
        expect(cookie).toBeDefined();
        expect(cookieAttributes(cookie)).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax']));
      }
    });

    it('has no dev mailbox', async () => {
      const page = await new FormClient(testApp!.baseUrl).get('/dev/mailbox');
      expect(page.status).toBe(404);
      expect(textOf(page.body)).toContain('There is no page at this address');
    });
  });

  describe('with no mail transport configured', () => {
    beforeEach(async () => {
      testApp = await startTestApp({ env: { SMTP_URL: undefined } });
    });

    it('keeps mail in the dev mailbox, where the code can be read and used', async () => {
      const client = new FormClient(testApp!.baseUrl);
      expect(textOf((await client.get('/dev/mailbox')).body)).toContain('No messages yet.');

      await client.get(requestPath);
      expect((await client.post(requestPath, { email: ada })).path).toBe(verifyPath);
      const mailbox = await eventually(async () => {
        const page = await client.get('/dev/mailbox');
        return page.body.includes(ada) ? page : undefined;
      });
      const code = /(?:^|\s)(\d{6})(?:\s|$)/m.exec(textOf(mailbox.body))?.[1];

      expect(mailbox.status).toBe(200);
      expect(mailbox.headers.get('cache-control')).toBe('no-store');
      expect(code).toBeDefined();

      await client.get(verifyPath);
      const verified = await client.post(verifyPath, { email: ada, code: code! });
      expect(verified.path).toBe('/secure-otp/success/');
      expect(textOf(verified.body)).toContain(`You have proved that you control ${ada}`);
    });
  });
});
