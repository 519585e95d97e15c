import { afterEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/core/api-key.js';
import { FakeClock } from '../support/fake-clock.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { apiClient, expectProblem } from './api-client.js';

const anna = 'anna@example.com';

/** Nothing was queued (so nothing can ever be mailed) and no code exists. */
async function expectNothingQueued(testApp: TestApp) {
  expect(await testApp.runtime.db.selectFrom('outbox_messages').selectAll().execute()).toEqual([]);
  expect(await testApp.runtime.db.selectFrom('otp_codes').selectAll().execute()).toEqual([]);
}

describe('API keys: the API is never an open mail relay', () => {
  let smtp: SmtpTestServer;
  let testApp: TestApp | undefined;
  const current = generateApiKey();
  const revoked = generateApiKey();

  afterEach(async () => {
    await testApp?.close();
    testApp = undefined;
    await smtp?.close();
  });

  async function start(keyHashes: string) {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, API_KEY_HASHES: keyHashes }, clock: new FakeClock(Date.now()) });
    return apiClient(testApp.baseUrl, current.key);
  }

  const refusals: { name: string; key?: string | null; authorization?: string }[] = [
    { name: 'no Authorization header', key: null },
    { name: 'a wrong key', key: generateApiKey().key },
    { name: 'the hash instead of the key', key: current.sha256Hex },
    { name: 'the right key with another scheme', authorization: `Basic ${current.key}` },
    { name: 'the right key without a scheme', authorization: current.key },
    { name: 'an empty bearer', authorization: 'Bearer ' },
    { name: 'the right key with trailing junk', key: `${current.key}x` },
  ];

  for (const refusal of refusals) {
    it(`refuses ${refusal.name} with 401 unauthorized and queues no mail`, async () => {
      const call = await start(`ci:${current.sha256Hex}`);
      for (const [path, body] of [
        ['/api/v1/otp', { email: anna }],
        ['/api/v1/otp/verify', { email: anna, code: '123456' }],
      ] as const) {
        const response = await call(path, {
          body,
          key: refusal.key,
          ...(refusal.authorization ? { authorization: refusal.authorization } : {}),
        });
        expectProblem(response, 401, 'unauthorized');
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
      const status = await call('/api/v1/otp/3f1c7a52-8a1e-4a7e-9a51-0c2b7d6e9f00', {
        key: refusal.key,
        ...(refusal.authorization ? { authorization: refusal.authorization } : {}),
      });
      expectProblem(status, 401, 'unauthorized');
      await expectNothingQueued(testApp!);
    });
  }

  it('refuses a key whose hash was removed from API_KEY_HASHES (revoked), and still accepts the others', async () => {
    let call = await start(`ci:${current.sha256Hex},old:${revoked.sha256Hex}`);
    expect((await call('/api/v1/otp', { body: { email: anna }, key: revoked.key })).status).toBe(202);
    await testApp!.close();
    await smtp.close();

    call = await start(`ci:${current.sha256Hex}`);
    expectProblem(await call('/api/v1/otp', { body: { email: 'bob@example.com' }, key: revoked.key }), 401, 'unauthorized');
    await expectNothingQueued(testApp!);
    expect((await call('/api/v1/otp', { body: { email: 'bob@example.com' } })).status).toBe(202);
  });

  it('refuses every call when the API is enabled with no keys at all', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, API_ENABLED: 'true' } });
    const call = apiClient(testApp.baseUrl, current.key);
    expectProblem(await call('/api/v1/otp', { body: { email: anna } }), 401, 'unauthorized');
    expectProblem(await call('/api/v1/otp', { body: { email: anna }, key: '' }), 401, 'unauthorized');
    await expectNothingQueued(testApp);
  });

  it('is not mounted at all unless enabled (no keys configured, API_ENABLED unset)', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url } });
    const response = await apiClient(testApp.baseUrl, current.key)('/api/v1/otp', { body: { email: anna } });
    expect(response.status).toBe(404);
    await expectNothingQueued(testApp);
  });

  it('never writes the API key to the logs', async () => {
    const call = await start(`ci:${current.sha256Hex}`);
    await call('/api/v1/otp', { body: { email: anna } });
    await call('/api/v1/otp', { body: { email: anna }, key: revoked.key });
    const logs = testApp!.logLines.join('\n');
    expect(logs).not.toContain(current.key);
    expect(logs).not.toContain(revoked.key);
    expect(logs).toContain('"apiKey":"ci"');
  });
});
