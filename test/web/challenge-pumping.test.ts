import { afterEach, describe, expect, it } from 'vitest';
import { counterRetentionOf, sweepOnce, sweepRetentionMs } from '../../src/store/sweeper.js';
import { pagePaths } from '../../src/web/page-paths.js';
import { dialects, type TestDialect } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { FormClient, type Page } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { outboxSize } from '../support/outbox-rows.js';
import { challengeIn, expectChallengePage, solvedPayload } from '../support/pow-challenges.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const paths = pagePaths();

/** Small figures so the run stays short; the thresholds are the defaults (docs/challenge.md). */
const pumpingEnv = {
  OTP_PRESSURE_VOLUME_FLOOR: '20',
  OTP_PRESSURE_NETWORK_REQUESTS: '0',
  OTP_PRESSURE_DOMAIN_REQUESTS: '0',
  // A trivial proof of work: the test solves it with altcha-lib; what it costs a browser is measured in test/browser/.
  OTP_CHALLENGE_MEAN_ATTEMPTS: '20',
  OTP_CHALLENGE_PBKDF2_ITERATIONS: '10',
};

describe.each(dialects)('pumping: many codes sent, almost none verified (%s)', (dialect: TestDialect) => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;
  let clock: FakeClock;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
  });

  async function requestCode(address: string, options: { solve?: boolean } = {}): Promise<Page> {
    const browser = new FormClient(testApp.baseUrl);
    await browser.get(paths.request);
    const page = await browser.post(paths.request, { email: address });
    if (page.status !== 429 || options.solve !== true) return page;
    expectChallengePage(page);
    return browser.post(paths.request, { email: address, altcha: await solvedPayload(challengeIn(page.body)) });
  }

  /** A real person: asks (solving the challenge if there is one), reads the mail, types the code. */
  async function signInAsPerson(address: string): Promise<void> {
    const browser = new FormClient(testApp.baseUrl);
    await browser.get(paths.request);
    let page = await browser.post(paths.request, { email: address });
    if (page.status === 429)
      page = await browser.post(paths.request, { email: address, altcha: await solvedPayload(challengeIn(page.body)) });
    expect(page.path).toBe(paths.verify);
    await expect
      .poll(() => smtp.messages.some((mail) => JSON.stringify(mail.to).includes(address)), { timeout: 10_000 })
      .toBe(true);
    const verified = await browser.post(paths.verify, { email: address, code: latestCodeFor(smtp.messages, address) });
    expect(verified.path).toBe(paths.success);
  }

  const emailsQueued = () => outboxSize(testApp.runtime.db);
  const pumping = () => testApp.runtime.challenge.monitor.activeCount('pumping');
  const events = (name: string) => testApp.logLines.map((line) => JSON.parse(line)).filter((line) => line.event === name);

  it('switches the challenge on, keeps it on while the attack lasts, and off once conversion recovers; a real person is served throughout', async () => {
    smtp = await startSmtpTestServer();
    clock = new FakeClock(Date.now());
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, ...pumpingEnv }, clock, dialect });
    const check = () => testApp.runtime.challenge.monitor.checkPumping();

    // Below the volume floor a low share verified means nothing yet: no pressure.
    for (let i = 0; i < 10; i++) expect((await requestCode(`pump-${i}@victim-${i % 5}.example`)).path).toBe(paths.verify);
    await check();
    expect(pumping()).toBe(0);

    // 25 codes, none verified: pressure on.
    for (let i = 10; i < 25; i++) expect((await requestCode(`pump-${i}@victim-${i % 5}.example`)).path).toBe(paths.verify);
    await check();
    expect(pumping()).toBe(1);
    expect(events('pressure.on')).toEqual([expect.objectContaining({ signal: 'pumping', volume: 25, conversion: 0 })]);

    // The pump keeps going: every request now gets a challenge page, and no email is queued.
    const queued = await emailsQueued();
    for (let i = 25; i < 35; i++) expectChallengePage(await requestCode(`pump-${i}@victim-${i % 5}.example`));
    expect(await emailsQueued()).toBe(queued);

    // A real person during the attack solves the challenge (in the background, in a browser) and signs in.
    await signInAsPerson('anna@example.com');

    // Past the minimum time on, still pumping (1 of 26 verified): stays on.
    clock.advanceSeconds(301);
    await check();
    expect(pumping()).toBe(1);

    // People come back and verify. 8 of 33 verified (24 %): above the on-line (20 %) but below the
    // off-line (35 %): hysteresis keeps it on.
    for (let i = 0; i < 7; i++) await signInAsPerson(`person-${i}@example.org`);
    await check();
    expect(pumping()).toBe(1);
    // 15 of 40 (37.5 %): recovered, off.
    for (let i = 7; i < 14; i++) await signInAsPerson(`person-${i}@example.org`);
    // A sweep in between must leave the finished codes of the window to be counted.
    const policy = testApp.config.policy;
    const finishedCodesMs = testApp.config.challenge.pressureWindowSeconds * 1000;
    await sweepOnce(testApp.runtime.db, clock.nowMs(), sweepRetentionMs(policy), {
      ...counterRetentionOf(policy),
      finishedCodesMs,
    });
    await check();
    expect(pumping()).toBe(0);
    const [off] = events('pressure.off');
    expect(off).toMatchObject({ signal: 'pumping', volume: 40 });
    expect(off.lastedSeconds).toBeGreaterThanOrEqual(301);

    // And nobody sees a challenge any more.
    expect((await requestCode('after@example.net')).path).toBe(paths.verify);
    const metrics = await (await fetch(`${testApp.baseUrl}/metrics`)).text();
    expect(metrics).toContain('otp_pressure_active{signal="pumping"} 0');
    expect(metrics).toMatch(/otp_challenges_total\{outcome="solved"\} 1[45]/);
  }, 120_000);
});
