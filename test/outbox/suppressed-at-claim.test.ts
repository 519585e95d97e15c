import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { FormClient, textOf } from '../support/form-client.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type HandDrivenWorker, handDrivenWorker } from '../support/worker-runtime.js';

const anna = 'anna@example.com';

// The worker is driven by hand (drainOnce): a delivery round is awaited instead of polled for.
describe.each(dialects)('mail queued for an address suppressed before it is sent (%s)', (dialect) => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;
  let driven: HandDrivenWorker;
  let browser: FormClient;

  beforeEach(async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, OUTBOX_WORKER: 'off' }, dialect });
    driven = handDrivenWorker(testApp.runtime, { smtpUrl: smtp.url });
    browser = new FormClient(testApp.baseUrl);
  });

  afterEach(async () => {
    await driven.close();
    await testApp.close();
    await smtp.close();
  });

  function messageOf(id: string) {
    return testApp.runtime.db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  it('is not sent: it fails, its code is withdrawn, the pages say why, and another address gets its code', async () => {
    const { service, deliveryEvents, db } = testApp.runtime;
    // An earlier code reached the mail server; its bounce comes back while a second code waits in the queue.
    const earlier = await service.request({ address: anna });
    if (!earlier.ok) throw new Error('the first request was refused');
    expect(await driven.worker.drainOnce()).toBe(1);
    expect(smtp.messages).toHaveLength(1);

    await browser.get('/secure-otp/request/');
    expect((await browser.post('/secure-otp/request/', { email: anna })).path).toBe('/secure-otp/verify/');
    const queued = await db.selectFrom('outbox_messages').select('id').where('status', '=', 'queued').executeTakeFirstOrThrow();

    const bounce = { kind: 'bounce', permanent: true, messageId: earlier.codeId, diagnostic: '550 5.1.1 user unknown' } as const;
    expect(await deliveryEvents.recordDeliveryEvent(bounce)).toBe('applied');

    expect(await driven.worker.drainOnce()).toBe(1);
    expect(smtp.messages).toHaveLength(1);
    const message = await messageOf(queued.id);
    expect(message.status).toBe('failed');
    expect(message.last_error).toBe('suppressed: bounce');
    expect(message.sealed_body).toBeNull();
    const code = await db.selectFrom('otp_codes').select('status').where('id', '=', queued.id).executeTakeFirstOrThrow();
    expect(code.status).toBe('withdrawn');
    expect(driven.events).toContainEqual(expect.objectContaining({ type: 'otp.delivery_failed', id: queued.id }));

    // The verify page says what it says after a 550; asking again for the address is refused with the same news.
    expect(textOf((await browser.get('/secure-otp/verify/')).body)).toContain('We could not deliver the email to this address');
    await browser.get('/secure-otp/request/');
    const refused = await browser.post('/secure-otp/request/', { email: anna });
    expect(refused.status).toBe(422);
    expect(textOf(refused.body)).toContain('We could not deliver email to this address. Check the address or use another one.');

    // Another address is not held up by it.
    const other = await browser.post('/secure-otp/request/', { email: 'anna.work@example.org' });
    expect(other.path).toBe('/secure-otp/verify/');
    expect(await driven.worker.drainOnce()).toBe(1);
    expect(smtp.envelopes.map((envelope) => envelope.to)).toEqual([[anna], ['anna.work@example.org']]);
  });
});
