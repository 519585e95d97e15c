import nodemailer from 'nodemailer';
import { beforeEach, describe, expect, it } from 'vitest';
import { verpTokenOf } from '../../src/core/verp-address.js';
import { startBounceReceiver } from '../../src/mail/bounce-receiver.js';
import { createLogger } from '../../src/ops/logger.js';
import { freshAppPerTest } from '../support/app-per-test.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { dialects } from '../support/dialects.js';
import { dsnFixture, RecordingDeliveryEvents } from '../support/dsn-fixtures.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe.each(dialects)('a code email with BOUNCE_ADDRESS set (%s)', (dialect) => {
  const opened = closedAfterEach();
  const fixture = {} as { smtp: SmtpTestServer; testApp: TestApp };
  beforeEach(async () => {
    fixture.smtp = opened.add(await startSmtpTestServer());
    fixture.testApp = opened.add(
      await startTestApp({
        dialect,
        env: {
          SMTP_URL: fixture.smtp.url,
          BOUNCE_ADDRESS: 'bounces@mail.example.com',
          MAIL_FROM: 'otp-app <no-reply@example.com>',
        },
      }),
    );
  });

  it('goes out with its own VERP envelope sender, naming its outbox message, while From stays the same', async () => {
    const outcome = await fixture.testApp.runtime.service.request({ address: 'anna@recipient.example' });
    if (!outcome.ok) throw new Error(`request refused: ${outcome.reason}`);
    const [mail] = await fixture.smtp.waitForMessages(1);

    const mailFrom = fixture.smtp.envelopeCommands.find((command) => command.startsWith('MAIL FROM:'));
    expect(mailFrom).toMatch(/^MAIL FROM:<bounces\+[a-z2-7]{48}@mail\.example\.com>/);
    const returnPath = fixture.smtp.envelopes[0]!.from;
    expect(returnPath.split('@')[0]!.length).toBeLessThanOrEqual(64);
    const token = verpTokenOf(fixture.testApp.config.bounces.address!, returnPath);
    const openedToken = fixture.testApp.runtime.verpTokens.open(token!);
    expect(openedToken?.messageId).toBe(outcome.codeId);
    expect(openedToken?.isForRecipient('anna@recipient.example')).toBe(true);
    expect(mail?.from?.value[0]?.address).toBe('no-reply@example.com');
    expect(fixture.smtp.envelopes[0]!.to).toEqual(['anna@recipient.example']);
  });

  it('closes the loop: a DSN sent back to that envelope sender reaches DeliveryEvents for the code', async () => {
    const { runtime, config } = fixture.testApp;
    const events = new RecordingDeliveryEvents();
    const receiver = opened.add(
      await startBounceReceiver({
        host: '127.0.0.1',
        port: 0,
        maxMessageBytes: config.bounces.receiver?.maxMessageBytes ?? 256 * 1024,
        bounceAddress: config.bounces.address!,
        verpTokens: runtime.verpTokens,
        deliveryEvents: events,
        logger: createLogger('silent'),
      }),
    );
    const outcome = await runtime.service.request({ address: 'anna@recipient.example' });
    if (!outcome.ok) throw new Error(`request refused: ${outcome.reason}`);
    await fixture.smtp.waitForMessages(1);
    const verp = fixture.smtp.envelopes[0]!.from;

    const mta = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true });
    await mta.sendMail({
      envelope: { from: '', to: [verp] },
      raw: dsnFixture('postfix-failed', { verp, recipient: 'anna@recipient.example' }),
    });
    mta.close();
    expect(events.events).toMatchObject([{ kind: 'bounce', permanent: true, messageId: outcome.codeId }]);
  });
});

describe('a code email without BOUNCE_ADDRESS', () => {
  const fixture = freshAppPerTest((smtpUrl) => ({ SMTP_URL: smtpUrl, MAIL_FROM: 'otp-app <no-reply@example.com>' }));

  it('keeps MAIL_FROM as its envelope sender', async () => {
    const outcome = await fixture.testApp.runtime.service.request({ address: 'anna@recipient.example' });
    expect(outcome.ok).toBe(true);
    await fixture.smtp.waitForMessages(1);
    expect(fixture.smtp.envelopeCommands.find((command) => command.startsWith('MAIL FROM:'))).toMatch(
      /^MAIL FROM:<no-reply@example\.com>/,
    );
  });
});
