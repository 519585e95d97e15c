import { describe, expect, it } from 'vitest';
import { generateDkimKey } from '../../src/mail/dkim-key.js';
import { type SenderSetup, senderSetupNotices } from '../../src/mail/sender-setup-notices.js';
import { productionEnv } from '../support/app-per-test.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp } from '../support/test-app.js';

const production: SenderSetup = { from: 'otp-app <no-reply@example.com>', transport: 'smtp', isProduction: true };
const events = (setup: SenderSetup) => senderSetupNotices(setup).map((notice) => `${notice.level} ${notice.event}`);

describe('start-up notices about the sender', () => {
  it("are silent in production when MAIL_FROM's domain is the DKIM domain or a subdomain of it", () => {
    expect(events({ ...production, dkimDomain: 'example.com' })).toEqual([]);
    expect(events({ ...production, from: 'no-reply@mail.Example.com', dkimDomain: 'example.com' })).toEqual([]);
  });

  it('warn when the DKIM domain does not cover MAIL_FROM, naming both domains', () => {
    const [notice, ...rest] = senderSetupNotices({ ...production, dkimDomain: 'example.net' });
    expect(rest).toEqual([]);
    expect(notice).toMatchObject({ level: 'warn', event: 'mail.dkim_not_aligned' });
    expect(notice?.message).toContain("MAIL_FROM's domain (example.com) is not DKIM_DOMAIN (example.net)");
    // A look-alike suffix is not a subdomain.
    expect(events({ ...production, from: 'no-reply@badexample.com', dkimDomain: 'example.com' })).toEqual([
      'warn mail.dkim_not_aligned',
    ]);
  });

  it('are silent in development without DKIM, and only informative in production over SMTP without it', () => {
    expect(events({ ...production, isProduction: false })).toEqual([]);
    expect(
      events({ ...production, isProduction: false, transport: 'dev-mailbox', from: 'otp-app <no-reply@localhost>' }),
    ).toEqual([]);
    expect(events(production)).toEqual(['info mail.dkim_off']);
    // Gmail signs its own mail for gmail.com, which is the From there.
    expect(events({ ...production, transport: 'gmail', from: 'me@gmail.com' })).toEqual([]);
  });

  it('warn in production when mail would go out From localhost', () => {
    expect(events({ ...production, from: 'otp-app <no-reply@localhost>' })).toEqual([
      'warn mail.from_unset',
      'info mail.dkim_off',
    ]);
  });
});

describe('a production app whose DKIM domain does not cover MAIL_FROM', () => {
  const opened = closedAfterEach();

  it('writes the warning to its log at start, without the key', async () => {
    const smtp = opened.add(await startSmtpTestServer());
    const testApp = opened.add(
      await startTestApp({
        env: {
          ...productionEnv(smtp.url),
          API_ENABLED: 'false',
          MAIL_FROM: 'otp-app <no-reply@example.org>',
          DKIM_DOMAIN: 'example.com',
          DKIM_SELECTOR: 'otp1',
          DKIM_PRIVATE_KEY: generateDkimKey('example.com', 'otp1').privateKeyPem,
        },
      }),
    );
    const warnings = testApp.logLines.map((line) => JSON.parse(line)).filter((line) => line.event === 'mail.dkim_not_aligned');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].level).toBe(40);
    expect(warnings[0].msg).toContain('example.org');
    expect(testApp.logLines.join('\n')).not.toContain('PRIVATE KEY');
  }, 60_000);
});
