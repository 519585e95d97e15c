import { afterEach, describe, expect, it } from 'vitest';
import { FormClient } from '../support/form-client.js';
import { freePort } from '../support/server-process.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Per-IP limits live in Redis when REDIS_URL is set. When Redis is down they fail OPEN: requests are
 * served uncounted (the database-backed limits per address still hold), and the outage is logged.
 */
describe('per-IP request limits when Redis is down', () => {
  let smtp: SmtpTestServer | undefined;
  let app: TestApp | undefined;

  afterEach(async () => {
    await app?.close();
    await smtp?.close();
    app = undefined;
  });

  async function postRequests(testApp: TestApp, count: number): Promise<number[]> {
    const browser = new FormClient(testApp.baseUrl);
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      await browser.get('/secure-otp/request/');
      statuses.push((await browser.post('/secure-otp/request/', { email: `person-${i}@example.com` })).status);
    }
    return statuses;
  }

  it('counts in Redis while it is up: the third request of a limit of two is refused', async () => {
    smtp = await startSmtpTestServer();
    app = await startTestApp({ redis: true, env: { SMTP_URL: smtp.url, OTP_IP_REQUEST_LIMIT: '2' } });
    expect(await postRequests(app, 3)).toEqual([200, 200, 429]);
  });

  it('serves every request, uncounted, and logs the outage when Redis cannot be reached', async () => {
    smtp = await startSmtpTestServer();
    const nothingListens = await freePort();
    app = await startTestApp({
      env: { SMTP_URL: smtp.url, OTP_IP_REQUEST_LIMIT: '2', REDIS_URL: `redis://127.0.0.1:${nothingListens}` },
    });
    expect(await postRequests(app, 4)).toEqual([200, 200, 200, 200]);
    expect(app.logLines.some((line) => line.includes('"event":"ratelimit.redis_down"'))).toBe(true);
  });
});
