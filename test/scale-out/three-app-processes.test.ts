import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtpDatabase, openDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { postgresAvailable, testDatabaseUrl } from '../support/dialects.js';
import { FormClient, type Page } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { waitForOutboxFinished } from '../support/outbox-rows.js';
import { createPostgresTestSchema, type PostgresTestSchema } from '../support/postgres-test-schema.js';
import { killServerProcesses, type ServerProcess, startServerProcess } from '../support/server-process.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { testRedisUrl } from '../support/test-app.js';
import { csrfTokenOf, postFormFrom, spreadOver } from './form-posts.js';

const ipRequestLimit = 20;

/**
 * Three real `otp-app serve` processes on one PostgreSQL schema and one Redis, as behind a load
 * balancer. Every limit must hold for the deployment as a whole, not per process.
 */
// Generous per-test timeouts: hundreds of requests through three processes on two shared cores.
describe.skipIf(!postgresAvailable)(
  `three app processes on one PostgreSQL (${new URL(testDatabaseUrl).host})`,
  { timeout: 120_000 },
  () => {
    let schema: PostgresTestSchema;
    let db: OtpDatabase;
    let smtp: SmtpTestServer;
    let workDir: string;
    const apps: ServerProcess[] = [];
    const browsers: FormClient[] = [];

    beforeAll(async () => {
      schema = await createPostgresTestSchema();
      db = openDatabase({ kind: 'postgres', url: schema.url, poolSize: 2, connectTimeoutMs: 5000 });
      // Migrated once up front, as a deployment would with `otp-app migrate`; the servers do not migrate.
      await migrateToLatest(db);
      smtp = await startSmtpTestServer();
      workDir = mkdtempSync(join(tmpdir(), 'otp-scale-out-'));
      const env = {
        DATABASE_URL: schema.url,
        AUTO_MIGRATE: 'false',
        SMTP_URL: smtp.url,
        REDIS_URL: testRedisUrl,
        REDIS_KEY_PREFIX: `otp-test-${randomBytes(6).toString('hex')}:`,
        // Each test speaks from its own client address (X-Forwarded-For), so their IP budgets stay apart.
        TRUST_PROXY: 'true',
        OTP_IP_REQUEST_LIMIT: String(ipRequestLimit),
        OTP_IP_VERIFY_LIMIT: '100000',
        OTP_RESEND_COOLDOWN_SECONDS: '0',
        // This test is about correctness, not capacity: on a busy two-core machine 300 requests may queue for
        // a pooled connection longer than the default 5 s, which would (rightly) answer 503.
        DATABASE_CONNECT_TIMEOUT_MS: '60000',
        OUTBOX_POLL_INTERVAL_MS: '100',
        LOG_LEVEL: 'warn',
      };
      const started = await Promise.all([0, 1, 2].map(() => startServerProcess({ env, cwd: workDir, readyTimeoutMs: 60_000 })));
      apps.push(...started);
      browsers.push(...apps.map((app) => new FormClient(app.baseUrl)));
    }, 90_000);

    afterAll(async () => {
      await killServerProcesses();
      await db?.destroy();
      await smtp?.close();
      await schema?.drop();
      if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
    }, 30_000);

    async function requestTokens(): Promise<string[]> {
      return Promise.all(browsers.map((browser) => csrfTokenOf(browser, '/secure-otp/request/')));
    }

    function isServerError(page: Page): boolean {
      return page.status >= 500;
    }

    it('lets exactly one of 300 concurrent verifies of one code succeed, spread over the three processes', async () => {
      const address = 'race@example.com';
      const [token] = await requestTokens();
      const requested = await postFormFrom(browsers[0]!, '/secure-otp/request/', { email: address }, token!, '198.51.100.1');
      expect(requested.status).toBe(303);
      await smtp.waitForMessages(1, 15_000);
      const code = latestCodeFor(smtp.messages, address);

      const verifyTokens = await Promise.all(browsers.map((browser) => csrfTokenOf(browser, '/secure-otp/verify/')));
      const pages = await spreadOver([0, 1, 2], 300, (i) =>
        postFormFrom(browsers[i]!, '/secure-otp/verify/', { email: address, code }, verifyTokens[i]!, '198.51.100.1'),
      );

      const successes = pages.filter((page) => page.status === 303 && page.headers.get('location') === '/secure-otp/success/');
      expect(pages.filter(isServerError).map((page) => page.status)).toEqual([]);
      expect(successes).toHaveLength(1);
      const codes = await db.selectFrom('otp_codes').select('status').execute();
      expect(codes.map((row) => row.status)).toEqual(['used']);
    });

    it('sends at most five emails an hour to one address when the requests are spread over the processes', async () => {
      const address = 'capped@example.com';
      const tokens = await requestTokens();
      const pages = await spreadOver([0, 1, 2], 15, (i) =>
        postFormFrom(browsers[i]!, '/secure-otp/request/', { email: address }, tokens[i]!, '198.51.100.2'),
      );

      expect(pages.filter(isServerError).map((page) => page.status)).toEqual([]);
      expect(pages.filter((page) => page.status === 303)).toHaveLength(5);
      expect(pages.filter((page) => page.status === 429)).toHaveLength(10);
      // Counted at the SMTP sink once every queued email has been dealt with: what really went out.
      await waitForOutboxFinished(db, 30_000);
      const mailedToAddress = smtp.envelopes.filter((envelope) => envelope.to.includes(address));
      expect(mailedToAddress).toHaveLength(5);
    });

    it('shares the per-IP request limit between the processes through Redis, with Retry-After', async () => {
      const tokens = await requestTokens();
      const pages = await spreadOver([0, 1, 2], ipRequestLimit + 10, (i, n) =>
        postFormFrom(browsers[i]!, '/secure-otp/request/', { email: `sprayed-${n}@example.com` }, tokens[i]!, '198.51.100.3'),
      );

      expect(pages.filter(isServerError).map((page) => page.status)).toEqual([]);
      expect(pages.filter((page) => page.status === 303)).toHaveLength(ipRequestLimit);
      const refused = pages.filter((page) => page.status === 429);
      expect(refused).toHaveLength(10);
      for (const page of refused) {
        expect(page.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
        expect(page.body).toContain('Too many requests');
      }
    });
  },
);
