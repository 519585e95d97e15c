import { afterEach, describe, expect, it } from 'vitest';
import { type ApiTestApp, startApiApp, wrongCodeFor } from './api-app.js';
import { expectProblem } from './api-client.js';

// Issue 12 §1 on the API: a code belongs to the API key that asked for it.
const anna = 'anna@example.com';
let api: ApiTestApp | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('codes bound to the API key that asked for them', () => {
  it("answers another key's verify of the right code like a wrong code, and spends none of the owner's attempts", async () => {
    api = await startApiApp();
    const { code } = await api.requestAndReadCode({ email: anna });
    for (let i = 0; i < 6; i++) {
      const other = await api.call('/api/v1/otp/verify', { body: { email: anna, code }, key: api.otherApiKey });
      expect(other.status === 422 || other.status === 423).toBe(true);
    }
    const wrong = await api.call('/api/v1/otp/verify', { body: { email: anna, code: wrongCodeFor(code) } });
    expectProblem(wrong, 422, 'invalid_code');
    expect(wrong.body.attemptsLeft).toBe(4);
    expect((await api.call('/api/v1/otp/verify', { body: { email: anna, code } })).status).toBe(200);
  });

  it("answers another key's status lookup like an unknown id", async () => {
    api = await startApiApp();
    const { id } = await api.requestAndReadCode({ email: anna });
    const options = { template: '/api/v1/otp/{id}' };
    expect((await api.call(`/api/v1/otp/${id}`, options)).status).toBe(200);
    expectProblem(await api.call(`/api/v1/otp/${id}`, { ...options, key: api.otherApiKey }), 404, 'no_pending_code');
  });

  it("keeps each key's cooldown its own: another key's request does not say this one asked", async () => {
    api = await startApiApp();
    await api.requestAndReadCode({ email: anna });
    expect((await api.call('/api/v1/otp', { body: { email: anna }, key: api.otherApiKey })).status).toBe(202);
    expectProblem(await api.call('/api/v1/otp', { body: { email: anna } }), 429, 'rate_limited');
  });
});
