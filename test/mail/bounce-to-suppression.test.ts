import nodemailer from 'nodemailer';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/core/api-key.js';
import type { CodeGenerator } from '../../src/core/one-time-code.js';
import { startBounceReceiver } from '../../src/mail/bounce-receiver.js';
import { createLogger } from '../../src/ops/logger.js';
import { apiClient, expectProblem } from '../api/api-client.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { dialects } from '../support/dialects.js';
import { dsnFixture } from '../support/dsn-fixtures.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The whole loop with nothing stood in: a code email leaves with its VERP envelope sender, a real SMTP
// connection brings a DSN back to the receiver, and the core's DeliveryEventRecorder withdraws the code
// and suppresses the address in the real database; the webhook does the same for a complaint.

const codes = ['111111', '222222', '333333'];
const sequentialCodes = (): CodeGenerator => {
  let next = 0;
  return { generate: () => codes[next++ % codes.length]! };
};

describe.each(dialects)('a late bounce or complaint, end to end (%s)', (dialect) => {
  const opened = closedAfterEach();
  const provider = generateApiKey();
  const fixture = {} as { smtp: SmtpTestServer; testApp: TestApp };
  beforeEach(async () => {
    fixture.smtp = opened.add(await startSmtpTestServer());
    fixture.testApp = opened.add(
      await startTestApp({
        dialect,
        codeGenerator: sequentialCodes(),
        env: {
          SMTP_URL: fixture.smtp.url,
          BOUNCE_ADDRESS: 'bounces@mail.example.com',
          MAIL_FROM: 'otp-app <no-reply@example.com>',
          API_KEY_HASHES: `provider:${provider.sha256Hex}`,
          DELIVERY_EVENTS_API_KEYS: 'provider',
          OTP_RESEND_COOLDOWN_SECONDS: '0',
        },
      }),
    );
  });

  it('a DSN for a sent code email withdraws the code, fails the message and refuses the next request', async () => {
    const { runtime, config } = fixture.testApp;
    const receiver = opened.add(
      await startBounceReceiver({
        host: '127.0.0.1',
        port: 0,
        maxMessageBytes: config.bounces.receiver?.maxMessageBytes ?? 256 * 1024,
        bounceAddress: config.bounces.address!,
        verpTokens: runtime.verpTokens,
        deliveryEvents: runtime.deliveryEvents,
        logger: createLogger('silent'),
      }),
    );
    const address = 'anna@recipient.example';
    const outcome = await runtime.service.request({ address });
    if (!outcome.ok) throw new Error(`request refused: ${outcome.reason}`);
    await fixture.smtp.waitForMessages(1);
    await expect.poll(() => runtime.service.deliveryStatus(outcome.codeId)).toBe('sent');

    const mta = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true });
    await mta.sendMail({
      envelope: { from: '', to: [fixture.smtp.envelopes[0]!.from] },
      raw: dsnFixture('postfix-failed', { verp: fixture.smtp.envelopes[0]!.from, recipient: address }),
    });
    mta.close();

    expect(await runtime.service.deliveryStatus(outcome.codeId)).toBe('failed');
    // The code that was mailed is withdrawn: typed now, it is refused like any wrong code.
    expect(await runtime.service.verify({ address, code: codes[0]! })).toMatchObject({ ok: false, reason: 'invalid_code' });
    expect(await runtime.suppressions.findSuppression('anna@recipient.example', runtime.service.nowMs())).toMatchObject({
      cause: 'bounce',
    });
    expect(await runtime.service.request({ address })).toEqual({ ok: false, reason: 'undeliverable' });
    // Only that mailbox: another address is served as before.
    expect((await runtime.service.request({ address: 'bob@recipient.example' })).ok).toBe(true);
  });

  it('a complaint through the webhook suppresses the address until removed', async () => {
    const { runtime, baseUrl } = fixture.testApp;
    const address = 'carla@recipient.example';
    const outcome = await runtime.service.request({ address });
    if (!outcome.ok) throw new Error(`request refused: ${outcome.reason}`);
    await expect.poll(() => runtime.service.deliveryStatus(outcome.codeId)).toBe('sent');

    const call = apiClient(baseUrl, provider.key);
    const response = await call('/api/v1/delivery-events', {
      method: 'POST',
      body: { events: [{ messageId: outcome.codeId, type: 'complaint', diagnostic: 'abuse report' }] },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ results: [{ result: 'applied' }] });
    const entry = await runtime.suppressions.findSuppression(address, runtime.service.nowMs() + 365 * 86_400_000);
    expect(entry).toMatchObject({ cause: 'complaint', expiresAtMs: null });

    // Refused through the API as well, with its typed problem.
    expectProblem(await call('/api/v1/otp', { method: 'POST', body: { email: address } }), 422, 'undeliverable');
    expect(await runtime.service.request({ address })).toEqual({ ok: false, reason: 'undeliverable' });
  });
});
