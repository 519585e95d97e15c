import { afterEach, describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { dialects, type TestDialect } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { csrfTokenIn, FormClient, type Page } from '../support/form-client.js';
import { challengeIn, expectChallengePage, solvedPayload } from '../support/pow-challenges.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const paths = pagePaths();

/** Where the soft counters live: the database of either dialect, or Redis. */
const stores: { name: string; dialect: TestDialect; redis: boolean }[] = [
  ...dialects.map((dialect) => ({ name: `${dialect} database`, dialect, redis: false })),
  { name: 'Redis', dialect: 'sqlite', redis: true },
];

describe.each(stores)('soft network and domain thresholds (counted in the $name)', ({ dialect, redis }) => {
  let testApp: TestApp;
  let clock: FakeClock;

  afterEach(async () => {
    await testApp?.close();
  });

  async function start(env: Record<string, string>) {
    clock = new FakeClock(Date.now());
    testApp = await startTestApp({
      env: { TRUST_PROXY: 'true', OTP_CHALLENGE_MEAN_ATTEMPTS: '20', OTP_CHALLENGE_PBKDF2_ITERATIONS: '10', ...env },
      clock,
      dialect,
      redis,
    });
  }

  /** A form post from `clientIp` (X-Forwarded-For, trusted here), as a browser of its own. */
  async function requestFrom(clientIp: string, email: string, extra: Record<string, string> = {}): Promise<Page> {
    const browser = new FormClient(testApp.baseUrl);
    const form = await browser.get(paths.request);
    return browser.raw(paths.request, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': clientIp },
      body: new URLSearchParams({ _csrf: csrfTokenIn(form.body)!, email, ...extra }).toString(),
    });
  }

  it('challenges a client network once it is over its threshold; another network is served', async () => {
    await start({ OTP_PRESSURE_NETWORK_REQUESTS: '3', OTP_PRESSURE_DOMAIN_REQUESTS: '0' });
    // Rotating addresses within one /24 does not help.
    expect((await requestFrom('203.0.113.1', 'a1@example.com')).status).toBe(303);
    expect((await requestFrom('203.0.113.2', 'a2@example.com')).status).toBe(303);
    const third = await requestFrom('203.0.113.3', 'a3@example.com');
    expectChallengePage(third);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(300);
    expectChallengePage(await requestFrom('203.0.113.200', 'a4@example.com'));
    // A client from another network is not affected.
    expect((await requestFrom('198.51.100.7', 'b@example.com')).status).toBe(303);
    // A person in the busy network solves the challenge and is served; the solution is good for the
    // address it was issued for, and only once (spent in the same store as the counters).
    const altcha = await solvedPayload(challengeIn(third.body));
    expect((await requestFrom('203.0.113.9', 'a5@example.com', { altcha })).status).toBe(403);
    expect((await requestFrom('203.0.113.9', 'a3@example.com', { altcha })).status).toBe(303);
    expect((await requestFrom('203.0.113.10', 'a3@example.com', { altcha })).status).toBe(403);
    const on = testApp.logLines.map((line) => JSON.parse(line)).filter((line) => line.event === 'pressure.on');
    expect(on).toEqual([expect.objectContaining({ signal: 'network', key: '203.0.113.0/24', volume: 3 })]);

    // Quiet for longer than the minimum time on: off again, with a log line that says for how long.
    clock.advanceSeconds(301);
    await testApp.runtime.challenge.monitor.checkKeys();
    expect(testApp.runtime.challenge.monitor.activeCount('network')).toBe(0);
    expect(testApp.logLines.map((line) => JSON.parse(line)).find((line) => line.event === 'pressure.off')).toMatchObject({
      signal: 'network',
      key: '203.0.113.0/24',
      lastedSeconds: 301,
    });
    expect((await requestFrom('203.0.113.4', 'a6@example.com')).status).toBe(303);
  });

  it('challenges requests to one recipient domain once it is over its threshold; other domains are served', async () => {
    await start({ OTP_PRESSURE_NETWORK_REQUESTS: '0', OTP_PRESSURE_DOMAIN_REQUESTS: '3' });
    for (let i = 0; i < 2; i++) expect((await requestFrom(`192.0.2.${i + 1}`, `staff-${i}@acme.example`)).status).toBe(303);
    expectChallengePage(await requestFrom('198.51.100.1', 'staff-2@ACME.example'));
    expectChallengePage(await requestFrom('198.51.100.2', 'staff-3@acme.example'));
    expect((await requestFrom('198.51.100.3', 'someone@other.example')).status).toBe(303);
    expect(testApp.runtime.challenge.monitor.activeCount('domain')).toBe(1);
    const metrics = await (await fetch(`${testApp.baseUrl}/metrics`)).text();
    expect(metrics).toContain('otp_pressure_active{signal="domain"} 1');
    expect(metrics).toContain('otp_challenges_total{outcome="issued"} 2');
  });

  it('never puts a large mailbox provider under pressure by its own count (a stranger cannot challenge every Gmail user)', async () => {
    await start({ OTP_PRESSURE_NETWORK_REQUESTS: '0', OTP_PRESSURE_DOMAIN_REQUESTS: '3' });
    for (let i = 0; i < 6; i++) {
      expect((await requestFrom(`192.0.2.${i + 1}`, `person-${i}@gmail.com`)).status).toBe(303);
    }
    expect(testApp.runtime.challenge.monitor.activeCount('domain')).toBe(0);
  });
});
