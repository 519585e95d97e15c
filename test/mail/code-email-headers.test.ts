import { describe, expect, it } from 'vitest';
import { closedAfterEach } from '../support/closed-after-each.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp } from '../support/test-app.js';

// What a receiving filter reads: the headers of a code email as the real SMTP server got it from the
// app (outbox → worker → SMTP transport in its thread).
describe('the headers of a code email', () => {
  const opened = closedAfterEach();

  it("mark it machine-made and transactional, at the sender's domain, from one stable sender", async () => {
    const smtp = opened.add(await startSmtpTestServer());
    const from = 'Example Sign-in <no-reply@mail.example.com>';
    const testApp = opened.add(await startTestApp({ env: { SMTP_URL: smtp.url, MAIL_FROM: from } }));
    expect((await testApp.runtime.service.request({ address: 'ada@example.org' })).ok).toBe(true);
    expect((await testApp.runtime.service.request({ address: 'grace@example.org', purpose: 'verify-email' })).ok).toBe(true);
    const mails = await smtp.waitForMessages(2, 30_000);

    for (const mail of mails) {
      const { headers } = mail;
      // RFC 3834: no vacation or out-of-office replies to a machine; Exchange reads its own header for that.
      expect(headers.get('auto-submitted')).toBe('auto-generated');
      expect(headers.get('x-auto-response-suppress')).toBe('All');
      // A Message-ID at the sender's own domain, not the host's name (localhost reads as spam).
      expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}@mail\.example\.com>$/);
      expect(mail.from?.value).toEqual([{ name: 'Example Sign-in', address: 'no-reply@mail.example.com' }]);
      // Both parts: text-only and HTML-only mail both score worse with filters.
      expect(mail.text).toMatch(/\d{6}/);
      expect(mail.html).toMatch(/\d{6}/);
      // A code is transactional: nothing that says newsletter or bulk.
      for (const marketing of ['precedence', 'list-unsubscribe', 'list-unsubscribe-post', 'list-id']) {
        expect(headers.has(marketing), marketing).toBe(false);
      }
    }
    expect(mails[0]?.messageId).not.toBe(mails[1]?.messageId);
    // Bounces go back to the same sender (the envelope's MAIL FROM).
    expect(smtp.envelopes.map((envelope) => envelope.from)).toEqual(['no-reply@mail.example.com', 'no-reply@mail.example.com']);
  }, 60_000);
});
