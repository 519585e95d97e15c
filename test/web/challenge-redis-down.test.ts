import { afterEach, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { FakeClock } from '../support/fake-clock.js';
import { FormClient } from '../support/form-client.js';
import { challengeIn, expectChallengePage, solvedPayload } from '../support/pow-challenges.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const paths = pagePaths();
let testApp: TestApp | undefined;

afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

it('with Redis unreachable: spent solutions go to the database, and a replay is still refused', async () => {
  testApp = await startTestApp({
    clock: new FakeClock(Date.now()),
    env: {
      // Nothing listens on port 1 of the loopback: every Redis command fails.
      REDIS_URL: 'redis://127.0.0.1:1',
      OTP_CHALLENGE: 'always',
      OTP_CHALLENGE_MEAN_ATTEMPTS: '20',
      OTP_CHALLENGE_PBKDF2_ITERATIONS: '10',
    },
  });
  const browser = new FormClient(testApp.baseUrl);
  await browser.get(paths.request);
  const page = await browser.post(paths.request, { email: 'anna@example.com' });
  expectChallengePage(page);
  const altcha = await solvedPayload(challengeIn(page.body));
  expect((await browser.post(paths.request, { email: 'anna@example.com', altcha })).path).toBe(paths.verify);
  const replay = new FormClient(testApp.baseUrl);
  await replay.get(paths.request);
  expectChallengePage(await replay.post(paths.request, { email: 'anna@example.com', altcha }), 403);
  const spent = await testApp.runtime.db
    .selectFrom('spent_pow_challenges' as never)
    .selectAll()
    .execute();
  expect(spent).toHaveLength(1);
  expect(testApp.logLines.filter((line) => line.includes('"pressure.redis_down"'))).toHaveLength(1);
});

it('with Redis unreachable: network and domain are counted nowhere (fail open), said once in the log', async () => {
  testApp = await startTestApp({
    env: { REDIS_URL: 'redis://127.0.0.1:1', OTP_PRESSURE_NETWORK_REQUESTS: '1', OTP_PRESSURE_DOMAIN_REQUESTS: '1' },
  });
  for (const address of ['a@example.com', 'b@example.com', 'c@example.com']) {
    const browser = new FormClient(testApp.baseUrl);
    await browser.get(paths.request);
    expect((await browser.post(paths.request, { email: address })).path).toBe(paths.verify);
  }
  expect(testApp.logLines.filter((line) => line.includes('"pressure.check_failed"'))).toHaveLength(1);
});
