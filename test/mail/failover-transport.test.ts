import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createFailoverTransport, type FailoverEvent, isAboutTheSender } from '../../src/mail/failover-transport.js';
import { MailDeliveryError } from '../../src/mail/mail-delivery-error.js';
import type { OutgoingMessage } from '../../src/mail/outgoing-message.js';
import { createSmtpTransport } from '../../src/mail/smtp-transport.js';
import { smtpUrlList } from '../../src/mail/smtp-url-list.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { FakeClock } from '../support/fake-clock.js';
import { freePort } from '../support/server-process.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp } from '../support/test-app.js';

const message: OutgoingMessage = {
  to: 'ada@example.org',
  from: 'otp-app <no-reply@example.com>',
  subject: 'Your code',
  text: 'Your code is 123456',
  html: '<p>Your code is 123456</p>',
};

describe('SMTP_URL with several transports', () => {
  it('splits at each new URL, not at a comma inside a password', () => {
    expect(smtpUrlList('smtp://a.example:587, smtps://u:p,w@b.example:465')).toEqual([
      'smtp://a.example:587',
      'smtps://u:p,w@b.example:465',
    ]);
  });

  it('is refused by the config when any of the URLs is not smtp(s)', () => {
    const load = (SMTP_URL: string) => () =>
      loadConfig({ SMTP_URL, SECRET_KEY: 'failover-config-test-secret-key-0123456789', DATA_DIR: tmpdir() });
    expect(load('smtp://a.example:587, smtps://b.example:465')).not.toThrow();
    expect(load('smtp://a.example:587, https://b.example')).toThrow(/SMTP_URL must start with smtp:\/\/ or smtps:\/\/ \(several/);
  });

  it('tells a refusal about the sender (worth another provider) from one about the recipient', () => {
    const refusal = (responseCode: number, errorCode: string, text = 'refused') =>
      isAboutTheSender(new MailDeliveryError(text, { responseCode, errorCode }));
    expect(isAboutTheSender(new MailDeliveryError('down', { errorCode: 'ECONNECTION' }))).toBe(true);
    expect(refusal(421, 'EENVELOPE')).toBe(true);
    expect(refusal(451, 'EMESSAGE')).toBe(true);
    expect(refusal(535, 'EAUTH')).toBe(true);
    expect(refusal(554, 'EMESSAGE')).toBe(true);
    expect(refusal(550, 'EENVELOPE', '550 5.7.1 Client host blocked')).toBe(true);
    expect(refusal(550, 'EENVELOPE', '550 5.1.1 No such user')).toBe(false);
    expect(refusal(552, 'EMESSAGE')).toBe(false);
  });
});

describe('failover between two real SMTP servers', () => {
  const opened = closedAfterEach();

  function failover(urls: string[], clock = new FakeClock(Date.now()), failureThreshold = 3) {
    const events: FailoverEvent[] = [];
    const transport = opened.add(
      createFailoverTransport(
        urls.map((smtpUrl, index) => ({ name: `t${index + 1}`, transport: createSmtpTransport({ smtpUrl }) })),
        { clock, failureThreshold, coolOffMs: 60_000, events: (event) => events.push(event) },
      ),
    );
    return { transport, events };
  }

  it('sends through the second when the primary is down, and says which took it', async () => {
    const secondary = opened.add(await startSmtpTestServer());
    const { transport, events } = failover([`smtp://127.0.0.1:${await freePort()}`, secondary.url]);
    await transport.send(message);
    expect(await secondary.waitForMessages(1)).toHaveLength(1);
    expect(events.map((event) => `${event.type} ${event.transport}`)).toEqual(['mail.transport_failed t1', 'mail.sent_via t2']);
  });

  it('moves on when the primary refuses our login (535)', async () => {
    const primary = opened.add(
      await startSmtpTestServer({ rejectAuth: () => ({ code: 535, message: 'Authentication failed' }) }),
    );
    const secondary = opened.add(await startSmtpTestServer());
    const withLogin = (url: string) => url.replace('smtp://', 'smtp://mailer:pw@');
    const { transport, events } = failover([withLogin(primary.url), withLogin(secondary.url)]);
    await transport.send(message);
    expect(secondary.messages).toHaveLength(1);
    expect(primary.messages).toHaveLength(0);
    expect(events[0]).toMatchObject({ type: 'mail.transport_failed', transport: 't1', error: expect.stringContaining('535') });
  });

  it('does not move on when the primary refuses the recipient (550): every provider would', async () => {
    const primary = opened.add(await startSmtpTestServer({ rejectRecipients: () => ({ code: 550, message: 'No such user' }) }));
    const secondary = opened.add(await startSmtpTestServer());
    const { transport } = failover([primary.url, secondary.url]);
    await expect(transport.send(message)).rejects.toMatchObject({ responseCode: 550 });
    expect(secondary.messages).toHaveLength(0);
  });

  it('skips a primary that failed three times in a row until the cool-off ends, then uses it again once it is back', async () => {
    let primaryRefuses = true;
    let primaryConnections = 0;
    const primary = opened.add(
      await startSmtpTestServer({
        rejectConnections: () => {
          primaryConnections++;
          return primaryRefuses ? { code: 421, message: 'Service not available' } : undefined;
        },
      }),
    );
    const secondary = opened.add(await startSmtpTestServer());
    const clock = new FakeClock(Date.now());
    const { transport, events } = failover([primary.url, secondary.url], clock);

    for (let i = 0; i < 3; i++) await transport.send(message);
    expect(events.filter((event) => event.type === 'mail.circuit_opened')).toHaveLength(1);
    const triedBeforeOpening = primaryConnections;

    // Open: the primary is not even tried, even though it is back.
    primaryRefuses = false;
    await transport.send(message);
    expect(primaryConnections).toBe(triedBeforeOpening);
    expect(secondary.messages).toHaveLength(4);

    // Cool-off over: the primary takes the next email.
    clock.advanceSeconds(60);
    await transport.send(message);
    expect(primary.messages).toHaveLength(1);
    expect(events.at(-1)).toEqual({ type: 'mail.sent_via', transport: 't1', primary: true });
  });

  it('fails with a temporary error when every transport fails, so the outbox retries later', async () => {
    const { transport } = failover([`smtp://127.0.0.1:${await freePort()}`, `smtp://127.0.0.1:${await freePort()}`]);
    const error = await transport.send(message).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect((error as MailDeliveryError).responseCode).toBeUndefined();
  });

  it('delivers a code email on the app path (outbox, thread transports) through the second URL of SMTP_URL', async () => {
    const secondary = opened.add(await startSmtpTestServer());
    const testApp = opened.add(
      await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${await freePort()}, ${secondary.url}` } }),
    );
    expect((await testApp.runtime.service.request({ address: 'ada@example.org' })).ok).toBe(true);
    await secondary.waitForMessages(1, 30_000);
    await expect.poll(() => testApp.logLines.some((line) => line.includes('"mail.sent_via"'))).toBe(true);
    expect(testApp.logLines.find((line) => line.includes('"mail.sent_via"'))).toContain(
      `"transport":"127.0.0.1:${secondary.port}"`,
    );
  }, 60_000);
});
