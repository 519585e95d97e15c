import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FormClient as Browser, type FormClient, textOf } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { csrfTokenOf, postFormFrom } from './form-posts.js';
import { canRunPrivatePostgres, type PrivatePostgres, startPrivatePostgres } from './private-postgres.js';

if (!canRunPrivatePostgres)
  console.warn('\n⚠  No PostgreSQL server binaries or not root: the PostgreSQL restart test is SKIPPED.\n');

interface Answer {
  status: number;
  text: string;
}

/**
 * A bounded load: `loops` clients, each posting one form after another (requests for new addresses and
 * wrong codes, both of which write to the database), until stopped or `maxRequests` were sent in all.
 */
function startLoad(app: TestApp, loops: number, maxRequests: number) {
  const answers: Answer[] = [];
  let stopped = false;
  let sent = 0;
  const loop = async (n: number) => {
    const browser = new Browser(app.baseUrl);
    const requestToken = await csrfTokenOf(browser, '/secure-otp/request/');
    const verifyToken = await csrfTokenOf(browser, '/secure-otp/verify/');
    for (let i = 0; !stopped && sent < maxRequests; i++) {
      sent++;
      const email = `load-${n}-${i}@example.com`;
      const page =
        i % 2 === 0
          ? await postFormFrom(browser, '/secure-otp/request/', { email }, requestToken, '127.0.0.1')
          : await postFormFrom(browser, '/secure-otp/verify/', { email, code: '000000' }, verifyToken, '127.0.0.1');
      answers.push({ status: page.status, text: textOf(page.body) });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const done = Promise.all(Array.from({ length: loops }, (_, n) => loop(n)));
  return {
    answers,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

// Under CI a machine that cannot run the private PostgreSQL fails this suite (inside) instead of skipping it.
describe.skipIf(!canRunPrivatePostgres && process.env.CI !== 'true')('PostgreSQL restarted while the app is under load', () => {
  let postgres: PrivatePostgres | undefined;
  let smtp: SmtpTestServer;
  let app: TestApp | undefined;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    smtp = await startSmtpTestServer();
    app = await startTestApp({
      dialect: 'postgres',
      env: {
        DATABASE_URL: postgres.url,
        SMTP_URL: smtp.url,
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        OUTBOX_POLL_INTERVAL_MS: '100',
      },
    });
  }, 90_000);

  afterAll(async () => {
    await app?.close().catch(() => {});
    await smtp?.close();
    await postgres?.destroy();
  }, 60_000);

  it('answers 503 "temporarily unavailable" during the outage, never 500, and recovers without a restart of the app', async () => {
    const testApp = app!;
    const server = postgres!;
    const browser: FormClient = new Browser(testApp.baseUrl);
    await browser.get('/secure-otp/request/');
    expect((await browser.post('/secure-otp/request/', { email: 'before@example.com' })).path).toBe('/secure-otp/verify/');
    await smtp.waitForMessages(1, 10_000);
    const codeFromBefore = latestCodeFor(smtp.messages, 'before@example.com');

    const load = startLoad(testApp, 4, 3000);
    try {
      await vi.waitFor(() => expect(load.answers.filter((a) => a.status < 500).length).toBeGreaterThan(20), { timeout: 20_000 });
      await server.stop();
      await vi.waitFor(() => expect(load.answers.filter((a) => a.status === 503).length).toBeGreaterThan(10), {
        timeout: 20_000,
      });
      await server.start();
      const answeredBeforeRecovery = load.answers.length;
      await vi.waitFor(
        () => expect(load.answers.slice(answeredBeforeRecovery).filter((a) => a.status < 500).length).toBeGreaterThan(10),
        { timeout: 30_000, interval: 100 },
      );
    } finally {
      await load.stop();
    }

    const statuses = new Set(load.answers.map((a) => a.status));
    // 303: a code was sent; 422: a wrong code; 503: the database was away. Nothing else, and never a 500.
    expect([...statuses].filter((status) => ![303, 422, 503].includes(status))).toEqual([]);
    for (const answer of load.answers.filter((a) => a.status === 503)) expect(answer.text).toContain('temporarily unavailable');

    // No corrupted data: the code sent before the outage still works, and no code lacks its email.
    await browser.get('/secure-otp/verify/');
    expect((await browser.post('/secure-otp/verify/', { email: 'before@example.com', code: codeFromBefore })).path).toBe(
      '/secure-otp/success/',
    );
    const db = testApp.runtime.db;
    const codeIds = (await db.selectFrom('otp_codes').select('id').execute()).map((row) => row.id).sort();
    const messageIds = (await db.selectFrom('outbox_messages').select('id').execute()).map((row) => row.id).sort();
    expect(codeIds).toEqual(messageIds);
    expect(codeIds.length).toBeGreaterThanOrEqual(load.answers.filter((a) => a.status === 303).length);
  }, 120_000);
});
