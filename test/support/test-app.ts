import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { MailDomainResolver } from '../../src/abuse/mail-domain-resolver.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/core/clock.js';
import type { CodeGenerator } from '../../src/core/one-time-code.js';
import { createLogger } from '../../src/ops/logger.js';
import { type OtpRuntime, openOtpRuntime } from '../../src/runtime/otp-runtime.js';
import { buildApp } from '../../src/web/app.js';
import type { TestDialect } from './dialects.js';
import { createPostgresTestSchema, type PostgresTestSchema } from './postgres-test-schema.js';

export interface TestAppOptions {
  /**
   * Environment on top of the test defaults (a temp DATA_DIR, a fixed SECRET_KEY, generous per-IP,
   * per-network and per-domain limits); `undefined` puts a variable back to the app's own default.
   */
  env?: Record<string, string | undefined>;
  clock?: Clock;
  codeGenerator?: CodeGenerator;
  /**
   * The database: `sqlite` (a temp file), or `postgres` (a fresh schema in TEST_DATABASE_URL, dropped on
   * close). An explicit `env.DATABASE_URL` wins over both. @default 'sqlite'
   */
  dialect?: TestDialect;
  /** Count per-IP limits in the local Redis (TEST_REDIS_URL), under a key prefix of this app's own. @default false */
  redis?: boolean;
  /** DNS for the MX check (OTP_CHECK_MX), so tests need no network. @default node:dns */
  mailDomainResolver?: MailDomainResolver;
}

export const testRedisUrl = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

export interface TestApp {
  baseUrl: string;
  app: FastifyInstance;
  runtime: OtpRuntime;
  config: Readonly<Config>;
  /** Every log line the app wrote, as JSON text. */
  logLines: string[];
  dataDir: string;
  dialect: TestDialect;
  /** The PostgreSQL schema of this app, when `dialect` is `postgres`. */
  postgresSchema?: PostgresTestSchema;
  close(): Promise<void>;
}

export const testSecretKey = 'test-secret-key-0123456789abcdef-0123456789abcdef';

/** Boots the real server on an ephemeral loopback port with its own SQLite file or PostgreSQL schema. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'otp-app-test-'));
  try {
    return await startTestAppIn(dataDir, options);
  } catch (error) {
    // A start that fails (a config refused on purpose, say) returns no close(): remove the folder here.
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function startTestAppIn(dataDir: string, options: TestAppOptions): Promise<TestApp> {
  const dialect = options.dialect ?? 'sqlite';
  const ownsDatabase = dialect === 'postgres' && options.env?.DATABASE_URL === undefined;
  const postgresSchema = ownsDatabase ? await createPostgresTestSchema() : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SECRET_KEY: testSecretKey,
    LOG_LEVEL: 'info',
    OTP_IP_REQUEST_LIMIT: '10000',
    API_REQUEST_LIMIT: '10000',
    OTP_IP_VERIFY_LIMIT: '10000',
    // Every test client is 127.0.0.1 and most addresses are at example.com: tests of these limits set them.
    OTP_SUBNET_REQUEST_LIMIT: '10000',
    OTP_SUBNET_VERIFY_LIMIT: '10000',
    OTP_DOMAIN_REQUEST_LIMIT: '10000',
    OTP_LARGE_PROVIDER_REQUEST_LIMIT: '10000',
    // Pacing runs at a rate no test reaches (see server-process.ts); test/outbox/domain-pacing.test.ts paces.
    OUTBOX_DOMAIN_RATE_PER_MINUTE: '60000',
    // Every test client is 127.0.0.1 and few tests verify what they request: the challenge's pressure
    // would switch on in any test that posts a dozen forms. Its own tests set these (test/web/challenge-*).
    OTP_PRESSURE_NETWORK_REQUESTS: '0',
    OTP_PRESSURE_DOMAIN_REQUESTS: '0',
    OTP_PRESSURE_VOLUME_FLOOR: '10000000',
    ...(postgresSchema === undefined ? {} : { DATABASE_URL: postgresSchema.url }),
    ...(options.redis === true
      ? { REDIS_URL: testRedisUrl, REDIS_KEY_PREFIX: `otp-test-${randomBytes(6).toString('hex')}:` }
      : {}),
    ...options.env,
  });
  const logLines: string[] = [];
  const logger = createLogger(config.logLevel, { write: (line: string) => void logLines.push(line) });
  const runtime = await openOtpRuntime(config, logger, {
    clock: options.clock,
    codeGenerator: options.codeGenerator,
    mailDomainResolver: options.mailDomainResolver,
  });
  const app = await buildApp(runtime, logger);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    app,
    runtime,
    config,
    logLines,
    dataDir,
    dialect,
    ...(postgresSchema === undefined ? {} : { postgresSchema }),
    async close() {
      try {
        await app.close();
        await runtime.close();
      } finally {
        await postgresSchema?.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
