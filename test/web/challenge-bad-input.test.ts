import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { startApiApp } from '../api/api-app.js';
import { dialects, type TestDialect } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { FormClient, type Page, textOf } from '../support/form-client.js';
import { outboxSize } from '../support/outbox-rows.js';
import { challengeIn, decodePayload, expectChallengePage, payloadOf, solvedPayload } from '../support/pow-challenges.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const paths = pagePaths();
const anna = 'anna@example.com';
const alwaysEnv = { OTP_CHALLENGE: 'always', OTP_CHALLENGE_MEAN_ATTEMPTS: '20', OTP_CHALLENGE_PBKDF2_ITERATIONS: '10' };

describe.each(dialects)('answers to the proof-of-work challenge (%s)', (dialect: TestDialect) => {
  let testApp: TestApp;
  let clock: FakeClock;
  let browser: FormClient;

  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    testApp = await startTestApp({ env: alwaysEnv, clock, dialect });
    browser = new FormClient(testApp.baseUrl);
  });

  afterEach(async () => {
    await testApp.close();
  });

  /** The challenge page for `address`, as the first submission gets it. */
  async function challengePageFor(address: string): Promise<Page> {
    await browser.get(paths.request);
    const page = await browser.post(paths.request, { email: address });
    expectChallengePage(page);
    return page;
  }

  const emailsQueued = () => outboxSize(testApp.runtime.db);
  const failures = () =>
    testApp.logLines
      .map((line) => JSON.parse(line))
      .filter((line) => line.event === 'challenge.failed')
      .map((line) => line.reason);

  /** Refused with `status`, a message saying so, a fresh challenge — and no email queued. */
  async function expectRefused(page: Page, status: number, reason: string): Promise<void> {
    expectChallengePage(page, status);
    expect(page.body).toContain('role="alert"');
    expect(textOf(page.body)).toMatch(/That check was not accepted|The check took too long/);
    expect(await emailsQueued()).toBe(0);
    expect(failures().at(-1)).toBe(reason);
  }

  it('asks for a proof of work, with Retry-After and a message for browsers without JavaScript', async () => {
    const page = await challengePageFor(anna);
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(page.body).toMatch(/<noscript><p class="message error">That calculation needs JavaScript[^<]*Try again in 5 minutes/);
    expect(await emailsQueued()).toBe(0);
  });

  it('sends the code once the challenge is solved', async () => {
    const page = await challengePageFor(anna);
    const sent = await browser.post(paths.request, { email: anna, altcha: await solvedPayload(challengeIn(page.body)) });
    expect(sent.path).toBe(paths.verify);
    expect(await emailsQueued()).toBe(1);
  });

  it('challenges "Send a new code" too, and sends the new code once solved', async () => {
    const first = await challengePageFor(anna);
    expect((await browser.post(paths.request, { email: anna, altcha: await solvedPayload(challengeIn(first.body)) })).path).toBe(
      paths.verify,
    );
    clock.advanceSeconds(61);
    const resend = await browser.post(paths.request, { email: anna, resend: '1' });
    expectChallengePage(resend);
    expect(resend.body).toContain('<input type="hidden" name="resend" value="1">');
    const sent = await browser.post(paths.request, {
      email: anna,
      resend: '1',
      altcha: await solvedPayload(challengeIn(resend.body)),
    });
    expect(sent.path).toBe(paths.verify);
    expect(textOf(sent.body)).toContain('New code sent.');
    expect(await emailsQueued()).toBe(2);
  });

  it('refuses a forged signature', async () => {
    const challenge = challengeIn((await challengePageFor(anna)).body);
    const payload = decodePayload(await solvedPayload(challenge));
    const forged = { ...challenge, signature: payload.challenge.signature!.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
    await expectRefused(
      await browser.post(paths.request, { email: anna, altcha: payloadOf(forged, payload.solution) }),
      403,
      'forged',
    );
  });

  it('refuses an easier challenge made up by the client (parameters changed under the signature)', async () => {
    const challenge = challengeIn((await challengePageFor(anna)).body);
    const easier = { ...challenge, parameters: { ...challenge.parameters, cost: 1 } };
    await expectRefused(
      await browser.post(paths.request, { email: anna, altcha: payloadOf(easier, { counter: 0, derivedKey: '00' }) }),
      403,
      'forged',
    );
  });

  it('refuses a wrong solution', async () => {
    const challenge = challengeIn((await challengePageFor(anna)).body);
    const { solution } = decodePayload(await solvedPayload(challenge));
    // The derived key is the proof (its HMAC is in the challenge); the counter only says where it was found.
    const wrong = { counter: solution.counter, derivedKey: solution.derivedKey.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
    await expectRefused(
      await browser.post(paths.request, { email: anna, altcha: payloadOf(challenge, wrong) }),
      403,
      'wrong_solution',
    );
  });

  it('refuses a replayed solution', async () => {
    const altcha = await solvedPayload(challengeIn((await challengePageFor(anna)).body));
    expect((await browser.post(paths.request, { email: anna, altcha })).path).toBe(paths.verify);
    const again = new FormClient(testApp.baseUrl);
    await again.get(paths.request);
    const replay = await again.post(paths.request, { email: anna, altcha });
    expectChallengePage(replay, 403);
    expect(await emailsQueued()).toBe(1);
    expect(failures()).toEqual(['replayed']);
  });

  it('refuses an expired challenge', async () => {
    const altcha = await solvedPayload(challengeIn((await challengePageFor(anna)).body));
    clock.advanceSeconds(301);
    const page = await browser.post(paths.request, { email: anna, altcha });
    await expectRefused(page, 403, 'expired');
    expect(textOf(page.body)).toContain('The check took too long and expired.');
  });

  it('refuses a solution made for another address', async () => {
    const altcha = await solvedPayload(challengeIn((await challengePageFor(anna)).body));
    await expectRefused(await browser.post(paths.request, { email: 'bert@example.com', altcha }), 403, 'wrong_address');
  });

  it.each([
    ['not base64', '%%%not-base64%%%'],
    ['base64 of no JSON', Buffer.from('{not json').toString('base64')],
    ['JSON of the wrong shape', Buffer.from(JSON.stringify({ challenge: null, solution: null, test: true })).toString('base64')],
    ['far too long', 'A'.repeat(5000)],
  ])('refuses a malformed answer: %s', async (_name, altcha) => {
    await challengePageFor(anna);
    await expectRefused(await browser.post(paths.request, { email: anna, altcha }), 400, 'malformed');
  });

  it('never answers a malformed answer with a 500, whatever its fields hold', async () => {
    const challenge = challengeIn((await challengePageFor(anna)).body);
    for (const parameters of [{ ...challenge.parameters, keySignature: 'zz' }, { ...challenge.parameters, nonce: 42 }, {}]) {
      const page = await browser.post(paths.request, {
        email: anna,
        altcha: payloadOf({ ...challenge, parameters } as never, { counter: -1, derivedKey: 'xyz' }),
      });
      expect([400, 403]).toContain(page.status);
    }
    expect(await emailsQueued()).toBe(0);
  });
});

describe('the JSON API is never challenged', () => {
  it('sends a code over the API with OTP_CHALLENGE=always', async () => {
    const api = await startApiApp(alwaysEnv);
    try {
      const { code } = await api.requestAndReadCode({ email: anna });
      expect(code).toMatch(/^\d{6}$/);
      expect(api.testApp.logLines.some((line) => line.includes('"challenge.'))).toBe(false);
    } finally {
      await api.close();
    }
  });
});
