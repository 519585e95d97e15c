import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { postgresAvailable } from '../support/dialects.js';
import { csrfTokenIn, FormClient, type Page } from '../support/form-client.js';
import { createPostgresTestSchema, type PostgresTestSchema } from '../support/postgres-test-schema.js';
import { challengeIn, expectChallengePage, solvedPayload } from '../support/pow-challenges.js';
import { startTestApp, type TestApp, testRedisUrl } from '../support/test-app.js';

const paths = pagePaths();

/**
 * Two app instances (each its own runtime, pool and Redis connection) on one PostgreSQL schema: what
 * several processes behind a load balancer share. The soft counters and the spent solutions must be
 * shared, or an attacker alternating between processes gets each one's threshold and replays freely.
 */
describe.skipIf(!postgresAvailable).each([
  { store: 'the database', redis: false },
  { store: 'Redis', redis: true },
])('the challenge across two app instances (counted in $store)', ({ redis }) => {
  let schema: PostgresTestSchema;
  let apps: TestApp[] = [];

  afterEach(async () => {
    for (const app of apps) await app.close();
    apps = [];
    await schema?.drop();
  });

  async function startTwo(env: Record<string, string>): Promise<[TestApp, TestApp]> {
    schema = await createPostgresTestSchema();
    const shared = {
      DATABASE_URL: schema.url,
      TRUST_PROXY: 'true',
      OTP_CHALLENGE_MEAN_ATTEMPTS: '20',
      OTP_CHALLENGE_PBKDF2_ITERATIONS: '10',
      ...(redis ? { REDIS_URL: testRedisUrl, REDIS_KEY_PREFIX: `otp-test-${randomBytes(6).toString('hex')}:` } : {}),
      ...env,
    };
    // One after the other: the second finds the schema migrated.
    apps.push(await startTestApp({ env: shared }));
    apps.push(await startTestApp({ env: shared }));
    return [apps[0]!, apps[1]!];
  }

  async function requestFrom(app: TestApp, clientIp: string, email: string, extra: Record<string, string> = {}): Promise<Page> {
    const browser = new FormClient(app.baseUrl);
    const form = await browser.get(paths.request);
    return browser.raw(paths.request, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': clientIp },
      body: new URLSearchParams({ _csrf: csrfTokenIn(form.body)!, email, ...extra }).toString(),
    });
  }

  it('counts a network over both instances, and a solution spent on one is refused on the other', async () => {
    const [a, b] = await startTwo({ OTP_PRESSURE_NETWORK_REQUESTS: '3', OTP_PRESSURE_DOMAIN_REQUESTS: '0' });
    expect((await requestFrom(a, '203.0.113.1', 'one@example.com')).status).toBe(303);
    expect((await requestFrom(b, '203.0.113.2', 'two@example.com')).status).toBe(303);
    // The third request of the /24, on either instance, is over the shared threshold.
    const third = await requestFrom(a, '203.0.113.3', 'three@example.com');
    expectChallengePage(third);
    expectChallengePage(await requestFrom(b, '203.0.113.4', 'four@example.com'));

    const altcha = await solvedPayload(challengeIn(third.body));
    expect((await requestFrom(b, '203.0.113.3', 'three@example.com', { altcha })).status).toBe(303);
    expectChallengePage(await requestFrom(a, '203.0.113.3', 'three@example.com', { altcha }), 403);
  });
});
