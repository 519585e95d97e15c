import { describe, expect, it } from 'vitest';
import type { MailDomainResolver } from '../../src/abuse/mail-domain-resolver.js';
import { pagePaths } from '../../src/web/page-paths.js';
import { startApiApp } from '../api/api-app.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { textOf } from '../support/form-client.js';
import { outboxSize } from '../support/outbox-rows.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ClientAt, counterValue } from './client-at.js';

const paths = pagePaths();

async function requestThroughForm(testApp: TestApp, email: string, locale?: string) {
  const client = new ClientAt(testApp.app, '127.0.0.1');
  await client.get(locale === undefined ? paths.request : `${paths.request}?lang=${locale}`);
  return client.post(paths.request, { email });
}

/** DNS that answers from a table, so the MX check runs without a network; `hang` never answers. */
const fakeDns = (zones: Record<string, 'mx' | 'null-mx' | 'hang'>): MailDomainResolver => ({
  resolveMx: (domain) => {
    const zone = zones[domain];
    if (zone === undefined) return Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
    if (zone === 'hang') return new Promise(() => {});
    return Promise.resolve([{ exchange: zone === 'mx' ? `mx.${domain}` : '', priority: zone === 'mx' ? 10 : 0 }]);
  },
  resolve4: () => Promise.reject(Object.assign(new Error('no data'), { code: 'ENODATA' })),
  resolve6: () => Promise.reject(Object.assign(new Error('no data'), { code: 'ENODATA' })),
});

describe('throw-away and impossible addresses, and the domain limit, on the pages', () => {
  const opened = closedAfterEach();

  it('refuses a throw-away address when BLOCK_DISPOSABLE_EMAIL is on, says why and what to do, and logs it masked', async () => {
    const testApp = opened.add(await startTestApp({ env: { BLOCK_DISPOSABLE_EMAIL: 'true' } }));
    for (const email of ['burner@mailinator.com', 'burner@anything.mailinator.com']) {
      const page = await requestThroughForm(testApp, email);
      expect(page.status).toBe(422);
      expect(textOf(page.body)).toContain('are throw-away mailboxes');
      expect(textOf(page.body)).toContain('Use a permanent email address');
    }
    expect(await outboxSize(testApp.runtime.db)).toBe(0);
    expect((await requestThroughForm(testApp, 'anna@example.com')).status).toBe(303);
    const logged = testApp.logLines.filter((line) => line.includes('"event":"abuse.disposable_refused"'));
    expect(logged).toHaveLength(2);
    expect(logged.join('\n')).not.toContain('burner@');
    expect(await counterValue(testApp, 'otp_defence_refusals_total', { defence: 'disposable_address' })).toBe(2);
  });

  it('sends to a throw-away address by default (BLOCK_DISPOSABLE_EMAIL off)', async () => {
    const testApp = opened.add(await startTestApp());
    expect((await requestThroughForm(testApp, 'burner@mailinator.com')).status).toBe(303);
  });

  it('says in German why a throw-away address is refused', async () => {
    const testApp = opened.add(await startTestApp({ env: { BLOCK_DISPOSABLE_EMAIL: 'true' } }));
    const page = await requestThroughForm(testApp, 'burner@mailinator.com', 'de');
    expect(textOf(page.body)).toContain('Wegwerf-Postfächer');
  });

  it('refuses a domain that cannot receive mail (OTP_CHECK_MX), and fails open when DNS does not answer', async () => {
    const testApp = opened.add(
      await startTestApp({
        env: { OTP_CHECK_MX: 'true', OTP_MX_TIMEOUT_MS: '50' },
        mailDomainResolver: fakeDns({ 'example.com': 'mx', 'no-mail.test': 'null-mx', 'slow-dns.test': 'hang' }),
      }),
    );
    for (const email of ['typo@no-mail.test', 'typo@gmial.invalid']) {
      const page = await requestThroughForm(testApp, email);
      expect(page.status).toBe(422);
      expect(textOf(page.body)).toContain('cannot receive email. Check the address');
    }
    expect((await requestThroughForm(testApp, 'anna@example.com')).status).toBe(303);
    // DNS trouble is ours: the request goes ahead, and the operator is told.
    expect((await requestThroughForm(testApp, 'bo@slow-dns.test')).status).toBe(303);
    expect(testApp.logLines.some((line) => line.includes('"event":"abuse.mx_check_failed_open"'))).toBe(true);
    expect(await counterValue(testApp, 'otp_defence_failed_open_total', { defence: 'mx_check' })).toBe(1);
    expect(await counterValue(testApp, 'otp_defence_refusals_total', { defence: 'no_mail_domain' })).toBe(2);
  });

  it('answers the domain limit with 429, Retry-After, and a message naming the domain and the wait', async () => {
    const testApp = opened.add(await startTestApp({ env: { OTP_DOMAIN_REQUEST_LIMIT: '2' } }));
    expect((await requestThroughForm(testApp, 'a@acme-corp.test')).status).toBe(303);
    expect((await requestThroughForm(testApp, 'b@acme-corp.test')).status).toBe(303);
    const page = await requestThroughForm(testApp, 'c@acme-corp.test');
    expect(page.status).toBe(429);
    const retryAfter = Number(page.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(textOf(page.body)).toContain('addresses at acme-corp.test in the last hour');
    expect(textOf(page.body)).toMatch(/Try again in 60 minutes/);
    expect(
      testApp.logLines.some(
        (line) => line.includes('"event":"abuse.domain_limited"') && line.includes('"domain":"acme-corp.test"'),
      ),
    ).toBe(true);
  });
});

describe('the same defences on the JSON API', () => {
  const opened = closedAfterEach();

  it('answers 422 disposable_address, 429 rate_limited for the domain limit, each a documented problem', async () => {
    const api = opened.add(await startApiApp({ BLOCK_DISPOSABLE_EMAIL: 'true', OTP_DOMAIN_REQUEST_LIMIT: '1' }));
    const disposable = await api.call('/api/v1/otp', { body: { email: 'burner@mailinator.com' } });
    expect(disposable.status).toBe(422);
    expect(disposable.body).toMatchObject({ code: 'disposable_address', errors: [{ field: 'email' }] });
    expect((await api.call('/api/v1/otp', { body: { email: 'a@acme-corp.test' } })).status).toBe(202);
    const limited = await api.call('/api/v1/otp', { body: { email: 'b@acme-corp.test' } });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(limited.body.detail).toContain('acme-corp.test');
    expect(Number(limited.headers.get('retry-after'))).toBe(limited.body.retryAfterSeconds);
  });
});
