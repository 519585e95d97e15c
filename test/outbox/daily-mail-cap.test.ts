import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { RequestOutcome } from '../../src/core/otp-outcome.js';
import { startApiApp } from '../api/api-app.js';
import { expectProblem } from '../api/api-client.js';
import { dialects } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { FormClient, textOf } from '../support/form-client.js';
import { outboxRows } from '../support/outbox-rows.js';
import { sameDatabaseEnv } from '../support/shared-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const hourMs = 3_600_000;
const capped = (limit: number) => ({ OUTBOX_WORKER: 'off', MAIL_DAILY_LIMIT: String(limit) });

describe.each(dialects)('MAIL_DAILY_LIMIT, counted for the deployment (%s)', (dialect) => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    // The second first: the first owns the database (its PostgreSQL schema is dropped when it closes).
    for (const app of apps.splice(0).reverse()) await app.close();
  });

  /** Two app runtimes (two processes' worth) on one database and one clock, half past an hour. */
  async function twoRuntimes(limit: number) {
    const clock = new FakeClock(Math.floor(Date.now() / hourMs) * hourMs + 30 * 60_000);
    const first = await startTestApp({ env: capped(limit), clock, dialect });
    apps.push(first);
    const second = await startTestApp({ env: { ...capped(limit), ...sameDatabaseEnv(first) }, clock, dialect });
    apps.push(second);
    const requestOn = (app: TestApp, address: string): Promise<RequestOutcome> => app.runtime.service.request({ address });
    return { clock, first, second, requestOn };
  }

  it('refuses new requests on every runtime once the last 24 hours hold the limit, and lets them through when the window moves on', async () => {
    const { clock, first, second, requestOn } = await twoRuntimes(3);
    expect((await requestOn(first, 'a@one.example')).ok).toBe(true);
    expect((await requestOn(first, 'b@two.example')).ok).toBe(true);
    expect((await requestOn(second, 'c@three.example')).ok).toBe(true);

    // A send counts for its whole hour and then a day: from half past, 24.5 hours to go.
    const refusal = { ok: false, reason: 'unavailable', retryAfterSeconds: 24.5 * 3600 };
    expect(await requestOn(second, 'd@four.example')).toEqual(refusal);
    expect(await requestOn(first, 'e@five.example')).toEqual(refusal);
    expect(await outboxRows(first.runtime.db)).toHaveLength(3);

    // The page: 503, Retry-After, and words a person understands.
    const browser = new FormClient(first.baseUrl);
    await browser.get('/secure-otp/request/');
    const page = await browser.post('/secure-otp/request/', { email: 'f@six.example' });
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe(String(24.5 * 3600));
    expect(textOf(page.body)).toContain('We cannot send codes right now. Try again later.');
    const german = new FormClient(first.baseUrl);
    await german.get('/secure-otp/request/?lang=de');
    const seite = await german.post('/secure-otp/request/', { email: 'f@six.example' });
    expect(seite.status).toBe(503);
    expect(textOf(seite.body)).toContain('Wir können gerade keine Codes senden. Versuchen Sie es später erneut.');

    clock.advanceSeconds(24.5 * 3600 - 1);
    expect((await requestOn(second, 'g@seven.example')).ok).toBe(false);
    clock.advanceSeconds(1);
    expect((await requestOn(second, 'g@seven.example')).ok).toBe(true);
    expect((await requestOn(first, 'h@eight.example')).ok).toBe(true);
  });

  it('gives a request refused for another reason (the resend cooldown) its send back', async () => {
    const { first, second, requestOn } = await twoRuntimes(2);
    expect((await requestOn(first, 'a@one.example')).ok).toBe(true);
    expect(await requestOn(second, 'a@one.example')).toMatchObject({ ok: false, reason: 'cooldown' });
    expect((await requestOn(second, 'b@two.example')).ok).toBe(true);
    expect(await requestOn(first, 'c@three.example')).toMatchObject({ ok: false, reason: 'unavailable' });
  });

  it('never lets more than the limit through when requests race on two runtimes, and leaks no count', async () => {
    const { clock, first, second, requestOn } = await twoRuntimes(5);
    const outcomes = await Promise.all(
      Array.from({ length: 24 }, (_, i) => requestOn(i % 2 === 0 ? first : second, `racer-${i}@race.example`)),
    );
    const accepted = outcomes.filter((outcome) => outcome.ok).length;
    expect(accepted).toBeLessThanOrEqual(5);
    expect(outcomes.every((outcome) => outcome.ok || outcome.reason === 'unavailable')).toBe(true);
    // Racing at the edge may refuse one that would still have fitted (it saw racing counts not yet given
    // back), never the reverse; every refused count was given back, so the day fills up to exactly the limit.
    clock.advanceSeconds(3); // past the refusals a process remembers for 2 s
    let more = 0;
    for (let i = 0; i < 10; i++) {
      const late = await requestOn(i % 2 === 0 ? second : first, `late-${i}@race.example`);
      if (!late.ok) break;
      more++;
    }
    expect(accepted + more).toBe(5);
    expect(await outboxRows(first.runtime.db)).toHaveLength(5);
  });
});

describe('MAIL_DAILY_LIMIT in the API and the configuration', () => {
  it('answers the problem `unavailable` (503, Retry-After) once the limit is reached', async () => {
    const api = await startApiApp({ MAIL_DAILY_LIMIT: '1' });
    try {
      expect((await api.call('/api/v1/otp', { body: { email: 'ada@example.org' } })).status).toBe(202);
      const refused = await api.call('/api/v1/otp', { body: { email: 'bob@example.org' } });
      expectProblem(refused, 503, 'unavailable');
      expect(refused.body.detail).toContain('We cannot send codes right now');
      expect(Number(refused.headers.get('retry-after'))).toBe(refused.body.retryAfterSeconds);
      expect(refused.body.retryAfterSeconds).toBeGreaterThan(24 * 3600);
    } finally {
      await api.close();
    }
  });

  it('is 500 with the Gmail preset unless configured, 0 turns it off, and unset means no cap otherwise', () => {
    const base = { SECRET_KEY: 'daily-cap-config-test-secret-key-0123456789', DATA_DIR: '/tmp' };
    const gmail = { ...base, GMAIL_ADDRESS: 'me@gmail.com', GMAIL_APP_PASSWORD: 'abcd efgh ijkl mnop' };
    expect(loadConfig(gmail).mailLimits.dailyLimit).toBe(500);
    expect(loadConfig({ ...gmail, MAIL_DAILY_LIMIT: '2000' }).mailLimits.dailyLimit).toBe(2000);
    expect(loadConfig({ ...gmail, MAIL_DAILY_LIMIT: '0' }).mailLimits.dailyLimit).toBeUndefined();
    expect(loadConfig({ ...base, SMTP_URL: 'smtp://mail.example:587' }).mailLimits.dailyLimit).toBeUndefined();
    expect(loadConfig(base).mailLimits.domainRatePerMinute).toBe(60);
    expect(() => loadConfig({ ...base, MAIL_DAILY_LIMIT: 'lots' })).toThrow(/MAIL_DAILY_LIMIT/);
  });
});
