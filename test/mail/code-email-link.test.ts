import { describe, expect, it } from 'vitest';
import { type CodeEmailInput, renderCodeEmail } from '../../src/mail/code-email-template.js';

const withLink: CodeEmailInput = {
  code: '042917',
  purpose: 'sign-in',
  ttlSeconds: 300,
  appName: 'otp-app',
  linkUrl: 'https://otp.example.com/secure-otp/link/abc_DEF-123',
};

describe('the one-time link in the code email', () => {
  it('comes after the code in the text part, on a line of its own', () => {
    const { text } = renderCodeEmail(withLink);
    expect(text.indexOf('042917')).toBeLessThan(text.indexOf('https://'));
    expect(text).toContain('\nhttps://otp.example.com/secure-otp/link/abc_DEF-123\n');
  });

  it('is a button in the HTML part, with the address spelled out for clients that strip links', () => {
    const { html } = renderCodeEmail(withLink);
    expect(html).toMatch(
      /<a href="https:\/\/otp\.example\.com\/secure-otp\/link\/abc_DEF-123" style="[^"]*">Confirm with one click<\/a>/,
    );
    expect(html.match(/secure-otp\/link\/abc_DEF-123/g)).toHaveLength(2);
    expect(html).not.toMatch(/<img|<link|<style|<script|src=/i);
  });

  it('escapes the URL', () => {
    const { html } = renderCodeEmail({ ...withLink, linkUrl: 'https://x.example/"><script>' });
    expect(html).not.toContain('"><script>');
  });

  it('is written in German when asked', () => {
    const email = renderCodeEmail({ ...withLink, locale: 'de', ttlSeconds: 60 });
    expect(email.subject).toBe('Ihr Anmeldecode für otp-app');
    expect(email.text).toContain('Geben Sie diesen Code ein, um sich anzumelden. Er gilt 1 Minute.');
    expect(email.html).toContain('<html lang="de">');
    expect(email.html).toContain('>Mit einem Klick bestätigen</a>');
  });
});
