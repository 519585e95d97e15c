import { describe, expect, it } from 'vitest';
import { type CodeEmailInput, renderCodeEmail } from '../../src/mail/code-email-template.js';

const signIn: CodeEmailInput = { code: '042917', purpose: 'sign-in', ttlSeconds: 300, appName: 'otp-app' };

describe('renderCodeEmail', () => {
  it('keeps the code out of the subject, which lock screens and relay logs show', () => {
    const email = renderCodeEmail(signIn);
    expect(email.subject).toBe('Your otp-app sign-in code');
    expect(email.subject).not.toContain('042917');
  });

  it('puts the code, leading zero included, in both bodies', () => {
    const email = renderCodeEmail(signIn);
    expect(email.text).toContain('    042917\n');
    expect(email.html).toContain('>042917</span>');
  });

  it('shows the code in a large monospace block with letter spacing', () => {
    const codeSpan = /<span style="([^"]*)">042917<\/span>/.exec(renderCodeEmail(signIn).html);
    expect(codeSpan?.[1]).toContain('monospace');
    expect(codeSpan?.[1]).toContain('letter-spacing:8px');
    expect(codeSpan?.[1]).toContain('font-size:32px');
  });

  it.each([
    ['sign-in', 'Enter this code to sign in.', 'Your otp-app sign-in code'],
    ['verify-email', 'Enter this code to verify your email address.', 'Your otp-app email verification code'],
    ['confirm-action', 'Enter this code to confirm an action.', 'Your otp-app confirmation code'],
    ['password-reset', 'Enter this code for password-reset.', 'Your otp-app password-reset code'],
  ])('describes the purpose %s in words', (purpose, sentence, subject) => {
    const email = renderCodeEmail({ ...signIn, purpose });
    expect(email.text).toContain(sentence);
    expect(email.html).toContain(sentence);
    expect(email.subject).toBe(subject);
  });

  it('does not mistake inherited object keys for known purposes', () => {
    expect(renderCodeEmail({ ...signIn, purpose: 'constructor' }).text).toContain('Enter this code for constructor.');
  });

  it.each([
    [300, '5 minutes'],
    [60, '1 minute'],
    [90, '1 minute'],
    [45, '45 seconds'],
    [1, '1 second'],
  ])('says a code living %i seconds is valid for %s', (ttlSeconds, words) => {
    const email = renderCodeEmail({ ...signIn, ttlSeconds });
    expect(email.text).toContain(`It is valid for ${words}.`);
    expect(email.html).toContain(`It is valid for ${words}.`);
  });

  it('shows the context the code is bound to', () => {
    const email = renderCodeEmail({ ...signIn, purpose: 'confirm-action', context: 'Pay 120.00 EUR to ACME Ltd' });
    expect(email.text).toContain('You are confirming: Pay 120.00 EUR to ACME Ltd');
    expect(email.html).toContain('You are confirming: Pay 120.00 EUR to ACME Ltd');
  });

  it('leaves the context line out when there is no context', () => {
    const email = renderCodeEmail(signIn);
    expect(email.text).not.toContain('You are confirming');
    expect(email.html).not.toContain('You are confirming');
  });

  it('tells an unexpected recipient they can ignore the email', () => {
    const email = renderCodeEmail(signIn);
    expect(email.text).toContain('If you did not ask for this code, you can ignore this email.');
    expect(email.html).toContain('If you did not ask for this code, you can ignore this email.');
  });

  it('escapes every interpolated value in the HTML', () => {
    const email = renderCodeEmail({
      code: '<i>1</i>',
      purpose: '<b>reset</b>',
      context: '<script>alert(1)</script> & "quotes"',
      ttlSeconds: 300,
      appName: 'A&B <Corp>',
    });
    expect(email.html).not.toMatch(/<script|<b>|<i>|<Corp>/);
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(email.html).toContain('<title>Your A&amp;B &lt;Corp&gt; &lt;b&gt;reset&lt;/b&gt; code</title>');
    expect(email.html).toContain('&lt;i&gt;1&lt;/i&gt;');
    // The plain-text body is not HTML: it shows the text as written.
    expect(email.text).toContain('You are confirming: <script>alert(1)</script> & "quotes"');
  });

  it('is a self-contained HTML5 document: no images, links, style sheets or obsolete layout attributes', () => {
    const html = renderCodeEmail({ ...signIn, context: 'Pay 1 EUR' }).html;
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).not.toMatch(/<img|<link|<style|<script|https?:|src=/i);
    expect(html).not.toMatch(/\s(width|align|bgcolor|cellpadding|cellspacing|border|valign)=/i);
    for (const tag of ['html', 'head', 'title', 'body', 'table', 'tr', 'td', 'span', 'div', 'strong']) {
      const opened = html.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length ?? 0;
      const closed = html.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
      expect({ tag, opened }).toEqual({ tag, opened: closed });
    }
  });
});
