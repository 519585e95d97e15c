import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/core/api-key.js';
import { suppressMailbox } from '../../src/store/suppressions.repository.js';
import { apiClient, expectProblem, OpenApiResponseChecker } from '../api/api-client.js';
import { dialects } from '../support/dialects.js';
import { FormClient, textOf } from '../support/form-client.js';
import { outboxSize } from '../support/outbox-rows.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type HandDrivenWorker, handDrivenWorker } from '../support/worker-runtime.js';

const anna = 'anna@example.com';

describe.each(dialects)('a request for a suppressed address, on the pages and the API (%s)', (dialect) => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;
  let driven: HandDrivenWorker;
  const { key: apiKey, sha256Hex } = generateApiKey();

  beforeEach(async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({
      env: { SMTP_URL: smtp.url, OUTBOX_WORKER: 'off', API_KEY_HASHES: `ci:${sha256Hex}` },
      dialect,
    });
    driven = handDrivenWorker(testApp.runtime, { smtpUrl: smtp.url });
  });

  afterEach(async () => {
    await driven.close();
    await testApp.close();
    await smtp.close();
  });

  async function suppressByHand(address: string) {
    await suppressMailbox(testApp.runtime.db, {
      mailbox: address,
      address,
      cause: 'manual',
      diagnostic: null,
      nowMs: Date.now(),
      expiresAtMs: null,
    });
  }

  it('the request page answers 422 with the words the verify page uses after a 550, beside the address, however it is typed', async () => {
    await suppressByHand(anna);
    const browser = new FormClient(testApp.baseUrl);
    for (const typed of [anna, ' anna@Example.COM ']) {
      await browser.get('/secure-otp/request/');
      const page = await browser.post('/secure-otp/request/', { email: typed });
      expect(page.status).toBe(422);
      expect(page.path).toBe('/secure-otp/request/');
      expect(textOf(page.body)).toContain('We could not deliver email to this address. Check the address or use another one.');
      // Beside the email field, as every message about the address is.
      expect(page.body).toMatch(/id="email-error"[^>]*>[^<]*We could not deliver email to this address/);
    }
    const german = new FormClient(testApp.baseUrl);
    await german.get('/secure-otp/request/?lang=de');
    const page = await german.post('/secure-otp/request/', { email: anna });
    expect(page.status).toBe(422);
    expect(textOf(page.body)).toContain('E-Mails konnten nicht an diese Adresse zugestellt werden.');
    expect(await outboxSize(testApp.runtime.db)).toBe(0);
  });

  it('a resend from the verify page for an address suppressed meanwhile stays there and says why', async () => {
    const browser = new FormClient(testApp.baseUrl);
    await browser.get('/secure-otp/request/');
    expect((await browser.post('/secure-otp/request/', { email: anna })).path).toBe('/secure-otp/verify/');
    await suppressByHand(anna);
    const page = await browser.post('/secure-otp/request/', { email: anna, resend: '1' });
    expect(page.status).toBe(422);
    expect(textOf(page.body)).toContain('We could not deliver email to this address.');
  });

  it('the API answers 422 undeliverable, as its OpenAPI document says, and queues nothing', async () => {
    await suppressByHand(anna);
    const call = apiClient(testApp.baseUrl, apiKey);
    const checker = new OpenApiResponseChecker((await call('/api/v1/openapi.json')).body);
    const response = await call('/api/v1/otp', { body: { email: 'ANNA@example.com' } });
    checker.check(response);
    expectProblem(response, 422, 'undeliverable');
    expect(response.body.errors).toEqual([{ field: 'email', message: expect.stringContaining('does not receive our email') }]);
    expect(await outboxSize(testApp.runtime.db)).toBe(0);
    expect((await call('/api/v1/otp', { body: { email: 'bob@example.com' } })).status).toBe(202);
  });

  it('counts suppressions by cause and delivery events by kind and result, and logs them with the address masked', async () => {
    const { service, deliveryEvents } = testApp.runtime;
    const ids: string[] = [];
    for (const address of [anna, 'bob@example.com', 'carl@example.com']) {
      const outcome = await service.request({ address });
      if (!outcome.ok) throw new Error('refused');
      ids.push(outcome.codeId);
    }
    expect(await driven.worker.drainOnce()).toBe(3);
    const [annas, bobs, carls] = ids as [string, string, string];
    await deliveryEvents.recordDeliveryEvent({ kind: 'bounce', permanent: true, messageId: annas, diagnostic: '550 5.1.1' });
    await deliveryEvents.recordDeliveryEvent({ kind: 'bounce', permanent: true, messageId: annas, diagnostic: '550 5.1.1' });
    await deliveryEvents.recordDeliveryEvent({ kind: 'bounce', permanent: false, messageId: carls, diagnostic: '451 4.4.1' });
    await deliveryEvents.recordDeliveryEvent({ kind: 'complaint', messageId: bobs });
    await deliveryEvents.recordDeliveryEvent({ kind: 'delivered', messageId: carls });
    await deliveryEvents.recordDeliveryEvent({ kind: 'delivered', messageId: '00000000-0000-4000-8000-000000000000' });
    expect(await service.request({ address: anna })).toEqual({ ok: false, reason: 'undeliverable' });

    const metrics = await (await fetch(new URL('/metrics', testApp.baseUrl))).text();
    for (const line of [
      'otp_suppressions_total{cause="bounce"} 1',
      'otp_suppressions_total{cause="complaint"} 1',
      'otp_delivery_events_total{kind="bounce_permanent",result="applied"} 1',
      'otp_delivery_events_total{kind="bounce_permanent",result="recorded"} 1',
      'otp_delivery_events_total{kind="bounce_transient",result="recorded"} 1',
      'otp_delivery_events_total{kind="complaint",result="applied"} 1',
      'otp_delivery_events_total{kind="delivered",result="recorded"} 1',
      'otp_delivery_events_total{kind="delivered",result="unknown_message"} 1',
      'otp_code_requests_refused_total{reason="undeliverable"} 1',
    ]) {
      expect(metrics).toContain(line);
    }

    const lines = testApp.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const suppressed = lines.filter((line) => line.event === 'address.suppressed');
    expect(suppressed).toMatchObject([
      { email: 'an***@example.com', cause: 'bounce' },
      { email: 'bo***@example.com', cause: 'complaint' },
    ]);
    const reported = lines.filter((line) => line.event === 'delivery.event');
    expect(reported).toHaveLength(6);
    expect(JSON.stringify([...suppressed, ...reported])).not.toMatch(/(anna|bob|carl)@example\.com/);
  });
});
