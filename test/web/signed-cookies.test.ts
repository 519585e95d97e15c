import { describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { freshAppPerTest } from '../support/app-per-test.js';
import { FormClient, textOf } from '../support/form-client.js';
import { inputNamed, textOfElementWithId } from './page-markup.js';
import { clearsCookie, cookieValueNamed, postCodeRequestWithoutRedirect, setCookieNamed } from './response-cookies.js';

const paths = pagePaths();
const ada = 'ada@example.com';

/** The same content under a genuine cookie's signature, with `change` applied to its JSON. */
function forgedUnderGenuineSignature(genuine: string, change: (value: Record<string, unknown>) => void): string {
  const signed = decodeURIComponent(genuine);
  const separator = signed.lastIndexOf('.');
  const value = JSON.parse(signed.slice(0, separator)) as Record<string, unknown>;
  change(value);
  return encodeURIComponent(`${JSON.stringify(value)}.${signed.slice(separator + 1)}`);
}

describe('the signed cookies of the pages: a forged or tampered one is ignored', () => {
  const fixture = freshAppPerTest();

  /** The flash and pending-code cookies a real code request sets. */
  async function genuineCookies(): Promise<{ flash: string; pending: string }> {
    const redirect = await postCodeRequestWithoutRedirect(new FormClient(fixture.testApp.baseUrl), ada);
    const flash = cookieValueNamed(redirect.headers, 'otp_flash');
    const pending = cookieValueNamed(redirect.headers, 'otp_pending');
    expect(flash).toBeDefined();
    expect(pending).toBeDefined();
    return { flash: flash!, pending: pending! };
  }

  function verifyPageWith(cookies: { flash?: string; pending?: string }): Promise<Response> {
    const cookie = [
      ...(cookies.flash === undefined ? [] : [`otp_flash=${cookies.flash}`]),
      ...(cookies.pending === undefined ? [] : [`otp_pending=${cookies.pending}`]),
    ].join('; ');
    return fetch(new URL(paths.verify, fixture.testApp.baseUrl), { headers: { cookie } });
  }

  describe('the flash cookie', () => {
    it('shows the notice when its signature holds', async () => {
      const { flash, pending } = await genuineCookies();
      const response = await verifyPageWith({ flash, pending });
      const body = await response.text();
      expect(response.status).toBe(200);
      expect(textOf(body)).toContain(`Code sent to ${ada}`);
      expect(textOfElementWithId(body, 'email')).toBe(ada);
    });

    it('is ignored, and cleared, when its content was changed under a genuine signature', async () => {
      const forged = forgedUnderGenuineSignature((await genuineCookies()).flash, (flash) => {
        flash.notice = 'Forged notice';
      });

      const response = await verifyPageWith({ flash: forged });
      const body = await response.text();

      expect(response.status).toBe(200);
      expect(textOf(body)).not.toContain('Forged notice');
      expect(body).not.toContain('role="status"');
      expect(inputNamed(body, 'email')?.get('value')).toBe('');
      expect(clearsCookie(setCookieNamed(response.headers, 'otp_flash'))).toBe(true);
    });

    it('is ignored when it carries no signature or a made-up one', async () => {
      for (const forged of [
        encodeURIComponent(JSON.stringify({ notice: 'Forged notice' })),
        encodeURIComponent(`${JSON.stringify({ notice: 'Forged notice' })}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`),
        '%E0%A4%A',
      ]) {
        const response = await verifyPageWith({ flash: forged });
        const body = await response.text();
        expect(response.status, forged).toBe(200);
        expect(textOf(body), forged).not.toContain('Forged notice');
        expect(body, forged).not.toContain('role="status"');
      }
      expect(fixture.testApp.logLines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50)).toEqual([]);
    });
  });

  describe('the pending-code cookie', () => {
    it('shows the address, the expiry and the resend wait when its signature holds', async () => {
      const body = await (await verifyPageWith(await genuineCookies())).text();
      expect(textOfElementWithId(body, 'email')).toBe(ada);
      expect(body).toContain('data-local-time');
      expect(body).toContain('data-countdown="resend"');
    });

    it('is ignored when its address or timing was changed under a genuine signature', async () => {
      const { flash, pending } = await genuineCookies();
      for (const forged of [
        forgedUnderGenuineSignature(pending, (value) => {
          value.address = 'mallory@evil.example';
        }),
        forgedUnderGenuineSignature(pending, (value) => {
          value.resendAfterMs = 0;
        }),
      ]) {
        const body = await (await verifyPageWith({ flash, pending: forged })).text();
        expect(body).not.toContain('mallory@evil.example');
        expect(inputNamed(body, 'email')?.get('value')).toBe('');
        expect(body).not.toContain('data-local-time');
      }
    });

    it('is ignored when it carries no signature, a made-up one, or the wrong shape', async () => {
      const { flash } = await genuineCookies();
      for (const forged of [
        encodeURIComponent(JSON.stringify({ codeId: 'x', address: ada, expiresAtMs: 1, resendAfterMs: 1 })),
        encodeURIComponent(`${JSON.stringify({ codeId: 'x', address: ada })}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`),
        '%E0%A4%A',
      ]) {
        const response = await verifyPageWith({ flash, pending: forged });
        const body = await response.text();
        expect(response.status, forged).toBe(200);
        expect(inputNamed(body, 'email')?.get('value'), forged).toBe('');
        expect(body, forged).not.toContain('data-local-time');
      }
      expect(fixture.testApp.logLines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50)).toEqual([]);
    });
  });
});
