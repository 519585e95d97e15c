import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/core/api-key.js';
import { SecretKeyring } from '../../src/core/secret-keyring.js';
import { VerpTokens } from '../../src/core/verp-token.js';
import { createLogger } from '../../src/ops/logger.js';
import { buildApp } from '../../src/web/app.js';
import { RecordingDeliveryEvents } from '../support/dsn-fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type ApiCallOptions, apiClient, expectProblem, OpenApiResponseChecker } from './api-client.js';

const path = '/api/v1/delivery-events';

describe('POST /api/v1/delivery-events (provider webhook)', () => {
  let testApp: TestApp;
  let app: FastifyInstance;
  let events: RecordingDeliveryEvents;
  let logLines: Record<string, unknown>[];
  let call: (options: ApiCallOptions) => ReturnType<ReturnType<typeof apiClient>>;
  const provider = generateApiKey();
  const integrator = generateApiKey();

  beforeEach(async () => {
    testApp = await startTestApp({
      env: {
        API_KEY_HASHES: `provider:${provider.sha256Hex},ci:${integrator.sha256Hex}`,
        DELIVERY_EVENTS_API_KEYS: 'provider',
        BOUNCE_ADDRESS: 'bounces@mail.example.com',
      },
    });
    // The same runtime served again with a DeliveryEvents that records what it is told: the route is under test.
    events = new RecordingDeliveryEvents();
    logLines = [];
    const logger = createLogger('info', { write: (line: string) => void logLines.push(JSON.parse(line)) });
    app = await buildApp({ ...testApp.runtime, deliveryEvents: events }, logger);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const client = apiClient(`http://127.0.0.1:${address.port}`, provider.key);
    const checker = new OpenApiResponseChecker((await client('/api/v1/openapi.json')).body);
    call = async (options) => {
      const response = await client(path, { template: path, ...options });
      checker.check(response);
      return response;
    };
  });

  afterEach(async () => {
    await app?.close();
    await testApp?.close();
  });

  it('refuses a call without a key (401), and one with a key not in DELIVERY_EVENTS_API_KEYS (403, logged)', async () => {
    const body = { events: [{ messageId: randomUUID(), type: 'complaint' }] };
    expectProblem(await call({ body, key: null }), 401, 'unauthorized');
    expectProblem(await call({ body, key: integrator.key }), 403, 'forbidden');
    expect(events.events).toEqual([]);
    expect(logLines).toContainEqual(expect.objectContaining({ event: 'delivery_events.forbidden', apiKey: 'ci' }));
  });

  it('answers each event of a batch on its own: applied, recorded, unknown id, forged token', async () => {
    const bounced = randomUUID();
    const delayed = randomUUID();
    const unknown = randomUUID();
    events.unknown.add(unknown);
    const delayedToken = testApp.runtime.verpTokens.issue(delayed, 'bob@example.org');
    const foreign = new VerpTokens(new SecretKeyring('someone-elses-secret-0123456789abcdef', [], 'verp token v1'));
    const response = await call({
      body: {
        events: [
          { messageId: bounced, type: 'bounce', bounce: 'permanent', diagnostic: '550 5.1.1 User unknown' },
          { verpToken: delayedToken.toUpperCase(), type: 'bounce', bounce: 'transient' },
          { messageId: unknown, type: 'delivered' },
          { verpToken: foreign.issue(randomUUID(), 'bob@example.org'), type: 'complaint' },
          { verpToken: 'not-a-token', type: 'complaint' },
          { messageId: bounced.toUpperCase(), type: 'complaint', diagnostic: 'abuse report' },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([
      { index: 0, result: 'applied', messageId: bounced },
      { index: 1, result: 'recorded', messageId: delayed },
      { index: 2, result: 'unknown_message', messageId: unknown },
      { index: 3, result: 'invalid_token' },
      { index: 4, result: 'invalid_token' },
      { index: 5, result: 'applied', messageId: bounced },
    ]);
    expect(events.events).toEqual([
      { kind: 'bounce', permanent: true, messageId: bounced, diagnostic: '550 5.1.1 User unknown' },
      { kind: 'bounce', permanent: false, messageId: delayed, diagnostic: 'reported by the delivery-events webhook' },
      { kind: 'delivered', messageId: unknown },
      { kind: 'complaint', messageId: bounced, diagnostic: 'abuse report' },
    ]);
    expect(logLines.filter((line) => line.event === 'delivery_events.invalid_token')).toHaveLength(2);
  });

  it.each([
    [
      'both messageId and verpToken',
      { messageId: randomUUID(), verpToken: 'x'.repeat(48), type: 'delivered' },
      'events.0.messageId',
    ],
    ['neither messageId nor verpToken', { type: 'delivered' }, 'events.0.messageId'],
    ['a bounce without its kind', { messageId: randomUUID(), type: 'bounce' }, 'events.0.bounce'],
    ['a bounce kind on a complaint', { messageId: randomUUID(), type: 'complaint', bounce: 'permanent' }, 'events.0.bounce'],
    ['an unknown type', { messageId: randomUUID(), type: 'opened' }, 'events.0.type'],
    ['a messageId that is no UUID', { messageId: '42', type: 'delivered' }, 'events.0.messageId'],
    [
      'a diagnostic with a line break',
      { messageId: randomUUID(), type: 'complaint', diagnostic: 'a\nforged: line' },
      'events.0.diagnostic',
    ],
    ['a diagnostic too long', { messageId: randomUUID(), type: 'complaint', diagnostic: 'x'.repeat(501) }, 'events.0.diagnostic'],
    ['an unknown field', { messageId: randomUUID(), type: 'delivered', address: 'anna@example.com' }, 'events.0.address'],
  ])('refuses %s with 400 and the field at fault, recording nothing', async (_name, event, field) => {
    const response = await call({ body: { events: [event] } });
    expectProblem(response, 400, 'invalid_request');
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(events.events).toEqual([]);
  });

  it('refuses an empty batch, one over 100 events, and a body that is not JSON', async () => {
    expectProblem(await call({ body: { events: [] } }), 400, 'invalid_request');
    const many = Array.from({ length: 101 }, () => ({ messageId: randomUUID(), type: 'delivered' }));
    const tooMany = await call({ body: { events: many } });
    expect(tooMany.status === 400 || tooMany.status === 413).toBe(true);
    expectProblem(await call({ rawBody: '{"events": [', contentType: 'application/json' }), 400, 'invalid_request');
    expect(events.events).toEqual([]);
  });

  it('answers 503 unavailable, not 500, when the database is down, so the provider retries', async () => {
    events.failNext = true;
    const response = await call({ body: { events: [{ messageId: randomUUID(), type: 'delivered' }] } });
    expectProblem(response, 503, 'unavailable');
  });
});
