import { describe, expect, it } from 'vitest';
import { catalogues } from '../../src/i18n/index.js';
import { freshAppPerTest } from '../support/app-per-test.js';
import { FormClient, type Page, textOf } from '../support/form-client.js';
import { codeInText, linkPathIn } from '../support/mail-links.js';

const anna = 'anna@example.com';

/** English sentences (and sentence parts between placeholders) that German must not show. */
const englishFragments = Object.entries(catalogues.en)
  .filter(([key, english]) => catalogues.de[key as keyof typeof catalogues.en] !== english)
  .flatMap(([, english]) => english.split(/\{\w+\}/))
  .map((fragment) => fragment.trim())
  // Short leftovers ("s", "(valid") say nothing about which language a page is in.
  .filter((fragment) => fragment.length >= 8);

function englishIn(text: string): string[] {
  return englishFragments.filter((fragment) => text.includes(fragment));
}

describe('pages and emails in German', () => {
  const fixture = freshAppPerTest();

  function expectGerman(page: Page, label: string) {
    expect(page.body, label).toContain('<html lang="de">');
    expect(englishIn(textOf(page.body)), label).toEqual([]);
  }

  it('follows Accept-Language', async () => {
    for (const path of ['/', '/secure-otp/', '/secure-otp/request/', '/secure-otp/verify/', '/no/such/page']) {
      const response = await fetch(new URL(path, fixture.testApp.baseUrl), {
        headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' },
      });
      const page = { status: response.status, path, body: await response.text(), headers: response.headers };
      expectGerman(page, path);
    }
    const english = await fetch(new URL('/secure-otp/request/', fixture.testApp.baseUrl), {
      headers: { 'accept-language': 'en-US,en' },
    });
    expect(await english.text()).toContain('<h1>Request a code</h1>');
  });

  it('lets ?lang= override Accept-Language, and remembers the choice in a cookie', async () => {
    const overridden = await fetch(new URL('/secure-otp/request/?lang=en', fixture.testApp.baseUrl), {
      headers: { 'accept-language': 'de' },
    });
    expect(await overridden.text()).toContain('<html lang="en">');
    const cookie = overridden.headers.getSetCookie().find((header) => header.startsWith('otp_lang='));
    expect(cookie).toMatch(/^otp_lang=en;/);
    const next = await fetch(new URL('/secure-otp/', fixture.testApp.baseUrl), {
      headers: { 'accept-language': 'de', cookie: cookie!.split(';')[0]! },
    });
    expect(await next.text()).toContain('<html lang="en">');
    const unknown = await fetch(new URL('/secure-otp/?lang=xx', fixture.testApp.baseUrl), {
      headers: { 'accept-language': 'de' },
    });
    expect(await unknown.text()).toContain('<html lang="de">');
  });

  it('runs the whole flow in German: notice, errors, email, link page, success', async () => {
    const browser = new FormClient(fixture.testApp.baseUrl);
    expectGerman(await browser.get('/secure-otp/request/?lang=de'), 'request');
    expectGerman(await browser.post('/secure-otp/request/', { email: 'not-an-address' }), 'request error');
    const verify = await browser.post('/secure-otp/request/', { email: anna });
    expect(verify.path).toBe('/secure-otp/verify/');
    expect(textOf(verify.body)).toContain(`Code gesendet an ${anna} (gültig 5 Minuten).`);
    expect(textOf(verify.body)).toContain('Einen neuen Code können Sie in 60 s anfordern.');
    expectGerman(verify, 'verify');

    const [mail] = await fixture.smtp.waitForMessages(1);
    expect(mail?.subject).toBe('Ihr Anmeldecode für otp-app');
    expect(mail?.text).toContain('Geben Sie diesen Code ein, um sich anzumelden. Er gilt 5 Minuten.');
    expect(mail?.html).toContain('<html lang="de">');
    expect(englishIn(mail?.text ?? '')).toEqual([]);
    expect(englishIn(textOf(String(mail?.html)))).toEqual([]);
    const code = codeInText(mail?.text);

    const wrong = await browser.post('/secure-otp/verify/', { email: anna, code: code === '000000' ? '111111' : '000000' });
    expect(textOf(wrong.body)).toContain('Dieser Code stimmt nicht. Noch 4 Versuche.');
    expectGerman(wrong, 'wrong code');

    expectGerman(await browser.get(linkPathIn(mail?.text)), 'link page');
    const success = await browser.post('/secure-otp/verify/', { email: anna, code });
    expect(success.path).toBe('/secure-otp/success/');
    expect(textOf(success.body)).toContain(`Sie haben bewiesen, dass Sie ${anna} kontrollieren.`);
    expectGerman(success, 'success');
  });

  it('writes the email in the language of the page the code was asked from', async () => {
    const german = new FormClient(fixture.testApp.baseUrl);
    await german.get('/secure-otp/request/?lang=de');
    await german.post('/secure-otp/request/', { email: anna });
    const english = new FormClient(fixture.testApp.baseUrl);
    await english.get('/secure-otp/request/?lang=en');
    await english.post('/secure-otp/request/', { email: 'bob@example.com' });
    const messages = await fixture.smtp.waitForMessages(2);
    const subjects = Object.fromEntries(
      messages.map((mail) => [JSON.stringify(mail.to).includes(anna) ? 'anna' : 'bob', mail.subject]),
    );
    expect(subjects).toEqual({ anna: 'Ihr Anmeldecode für otp-app', bob: 'Your otp-app sign-in code' });
  });
});
