import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defaultOtpPolicy, type OtpPolicy } from '../core/otp-policy.js';
import { smtpUrlList } from '../mail/smtp-url-list.js';
import type { DatabaseConfig } from '../store/database.js';
import { type AbuseConfig, abuseConfigFrom, abuseEnvShape } from './abuse-config.js';
import { type ApiConfig, apiConfigFrom, apiEnvShape } from './api-config.js';
import { type BounceConfig, bounceConfigFrom, bounceEnvShape } from './bounce-config.js';
import { type ChallengeConfig, challengeConfigFrom, challengeEnvShape } from './challenge-config.js';
import { type DkimConfig, dkimConfigFrom, dkimEnvShape } from './dkim-config.js';
import { blankAsUnset, integer, optionalText } from './env-values.js';
import { type HttpServerConfig, httpServerConfigFrom, httpServerEnvShape } from './http-server-config.js';
import { type MailLimitsConfig, mailLimitsConfigFrom, mailLimitsEnvShape } from './mail-limits-config.js';
import { type SuppressionConfig, suppressionConfigFrom, suppressionEnvShape } from './suppression-config.js';

/** Thrown when the environment cannot run the app; its message names every problem and its fix. */
export class ConfigError extends Error {}

export type { AbuseConfig, DatabaseConfig, DkimConfig };

const minSecretKeyBytes = 32;

const envSchema = z.object({
  ...apiEnvShape,
  ...httpServerEnvShape,
  ...dkimEnvShape,
  ...suppressionEnvShape,
  ...bounceEnvShape,
  ...challengeEnvShape,
  ...abuseEnvShape,
  ...mailLimitsEnvShape,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(8000, 0, 65535),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: optionalText,
  DATABASE_POOL_SIZE: integer(10, 1, 1000),
  DATABASE_CONNECT_TIMEOUT_MS: integer(5000, 100, 600_000),
  AUTO_MIGRATE: z.enum(['true', 'false']).default('true'),
  REDIS_URL: optionalText,
  REDIS_KEY_PREFIX: z.string().trim().min(1).max(100).default('otp-app:'),
  SECRET_KEY: optionalText,
  OLD_SECRET_KEYS: optionalText,
  SMTP_URL: optionalText,
  GMAIL_ADDRESS: optionalText,
  GMAIL_APP_PASSWORD: optionalText,
  MAIL_FROM: optionalText,
  APP_NAME: z.string().trim().min(1).max(60).default('otp-app'),
  PUBLIC_URL: optionalText,
  TRUST_PROXY: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.preprocess(blankAsUnset, z.enum(['json', 'pretty']).optional()),
  METRICS_TOKEN: optionalText,
  BODY_LIMIT_BYTES: integer(16 * 1024, 1024, 1024 * 1024),
  OTP_LENGTH: integer(defaultOtpPolicy.codeLength, 6, 10),
  OTP_TTL_SECONDS: integer(defaultOtpPolicy.codeTtlSeconds, 30, 86_400),
  OTP_MAX_ATTEMPTS: integer(defaultOtpPolicy.maxAttemptsPerCode, 1, 20),
  // At most 100 consecutive failures per mailbox: NIST SP 800-63B §5.2.2.
  OTP_ADDRESS_FAILURE_LIMIT: integer(defaultOtpPolicy.addressFailureLimit, 1, 100),
  OTP_ADDRESS_FAILURE_WINDOW_SECONDS: integer(defaultOtpPolicy.addressFailureWindowSeconds, 3600, 365 * 86_400),
  OTP_MAX_LIVE_CODES: integer(defaultOtpPolicy.maxLiveCodes, 1, 5),
  OTP_RESEND_COOLDOWN_SECONDS: integer(defaultOtpPolicy.resendCooldownSeconds, 0, 3600),
  OTP_SEND_LIMIT: integer(defaultOtpPolicy.sendLimit, 1, 10_000),
  OTP_SEND_WINDOW_SECONDS: integer(defaultOtpPolicy.sendWindowSeconds, 60, 86_400),
  OTP_DAILY_SEND_LIMIT: integer(defaultOtpPolicy.dailySendLimit, 1, 10_000),
  OTP_IP_REQUEST_LIMIT: integer(30, 1, 1_000_000),
  OTP_IP_REQUEST_WINDOW_SECONDS: integer(600, 1, 86_400),
  OTP_IP_VERIFY_LIMIT: integer(300, 1, 1_000_000),
  OTP_SWEEP_INTERVAL_SECONDS: integer(60, 1, 86_400),
  OUTBOX_WORKER: z.enum(['in-process', 'off']).default('in-process'),
  OUTBOX_CONCURRENCY: integer(5, 1, 100),
  OUTBOX_POLL_INTERVAL_MS: integer(500, 10, 60_000),
  OUTBOX_LEASE_SECONDS: integer(60, 1, 3600),
  OUTBOX_RETRY_BASE_MS: integer(1000, 10, 600_000),
  OUTBOX_RETRY_MAX_MS: integer(300_000, 10, 3_600_000),
  OUTBOX_GIVE_UP_SECONDS: integer(1800, 1, 86_400),
  OUTBOX_SHUTDOWN_GRACE_SECONDS: integer(10, 0, 600),
  OTP_PURPOSES: z
    .string()
    .default(defaultOtpPolicy.purposes.join(','))
    .transform((value) =>
      value
        .split(',')
        .map((purpose) => purpose.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'purposes are lower-case words joined by "-"')).min(1)),
});

export type MailConfig =
  | { kind: 'smtp'; smtpUrl: string; from: string }
  | { kind: 'gmail'; address: string; appPassword: string; from: string }
  | { kind: 'dev-mailbox'; from: string };

export interface Config {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  dataDir: string;
  /** Absolute path of the SQLite file (used when `database.kind` is `sqlite`). */
  sqliteFile: string;
  database: DatabaseConfig;
  /** Apply pending migrations when a process starts; production may turn it off and run `otp-app migrate`. */
  autoMigrate: boolean;
  /** Per-IP request limits are counted in this Redis when set (shared by every process), in memory otherwise. */
  redisUrl?: string;
  /** Prefix of every Redis key, so several deployments (or test runs) can share one Redis. */
  redisKeyPrefix: string;
  secretKey: string;
  oldSecretKeys: readonly string[];
  mail: MailConfig;
  /** DKIM signing of every email (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY); unset: mail leaves unsigned by otp-app. */
  dkim?: DkimConfig;
  appName: string;
  /**
   * Where people reach the pages (`https://otp.example.com`), for the one-time link in the email.
   * Outside production it defaults to this server's own address; in production, unset means the email
   * carries the code only (a link to the wrong host would be worse than none).
   */
  publicUrl?: string;
  /** Fastify's `trustProxy`: false, true, a hop count, or a list of addresses/CIDRs. */
  trustProxy: boolean | number | readonly string[];
  logLevel: string;
  /** `pretty` (pino-pretty, for a person at a terminal) by default in development; `json` everywhere else. */
  logFormat: 'json' | 'pretty';
  /** Bearer token for /metrics. Unset: /metrics is open outside production and disabled (404) in production. */
  metricsToken?: string;
  bodyLimitBytes: number;
  /** Timeouts and the connection cap of the HTTP server. */
  http: HttpServerConfig;
  policy: OtpPolicy;
  /** The JSON API, its keys, and the verification tokens. */
  api: ApiConfig;
  /** Code requests per client IP per window (OTP_IP_REQUEST_LIMIT): stops spraying many addresses. */
  ipRequestLimit: number;
  /** Verify attempts (code or link) per client IP per window, across every address: a coarse brake on spreading guesses. */
  ipVerifyLimit: number;
  /**
   * The window of every per-client limit: requests and verifies per IP, calls per API key
   * (OTP_IP_REQUEST_WINDOW_SECONDS, named before it also counted verifies and keys).
   */
  clientLimitWindowSeconds: number;
  sweepIntervalSeconds: number;
  outbox: OutboxConfig;
  /** The suppression list (SUPPRESSION_DAYS). */
  suppression: Readonly<SuppressionConfig>;
  /** Late bounces: VERP envelope sender, the inbound receiver, the webhook's keys (BOUNCE_*, DELIVERY_EVENTS_API_KEYS). */
  bounces: BounceConfig;
  /** The proof-of-work challenge on the request form and the pressure that switches it on. */
  challenge: Readonly<ChallengeConfig>;
  /** Limits per client network and recipient domain, throw-away and mail-less domains (docs/abuse.md). */
  abuse: AbuseConfig;
  /** Per-domain pacing of the outbox and the deployment's daily cap (OUTBOX_DOMAIN_RATE_PER_MINUTE, MAIL_DAILY_LIMIT). */
  mailLimits: MailLimitsConfig;
}

export interface OutboxConfig {
  /** `in-process`: `serve` also delivers mail; `off`: only separate `worker` processes do. */
  worker: 'in-process' | 'off';
  concurrency: number;
  pollIntervalMs: number;
  leaseMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  giveUpAfterMs: number;
  shutdownGraceMs: number;
}

/**
 * Parses and checks the environment once. Nothing else reads `process.env`. In production it refuses
 * what would be unsafe; in development it fills in what a newcomer lacks (a secret, a mailbox).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  const problems: string[] = [];
  const dataDir = resolve(e.DATA_DIR);

  const mailFrom = e.MAIL_FROM ?? e.GMAIL_ADDRESS ?? `${e.APP_NAME} <no-reply@localhost>`;
  let mail: MailConfig = { kind: 'dev-mailbox', from: mailFrom };
  if (e.SMTP_URL !== undefined) {
    if (smtpUrlList(e.SMTP_URL).some((url) => !/^smtps?:\/\//.test(url))) {
      problems.push('SMTP_URL must start with smtp:// or smtps:// (several transports: comma-separated, primary first)');
    }
    mail = { kind: 'smtp', smtpUrl: e.SMTP_URL, from: mailFrom };
  } else if (e.GMAIL_ADDRESS !== undefined || e.GMAIL_APP_PASSWORD !== undefined) {
    if (e.GMAIL_ADDRESS === undefined || e.GMAIL_APP_PASSWORD === undefined) {
      problems.push('GMAIL_ADDRESS and GMAIL_APP_PASSWORD go together: set both, or use SMTP_URL');
    } else mail = { kind: 'gmail', address: e.GMAIL_ADDRESS, appPassword: e.GMAIL_APP_PASSWORD, from: mailFrom };
  }
  if (isProduction && mail.kind === 'dev-mailbox') {
    problems.push('NODE_ENV=production needs a real mail transport: set SMTP_URL, or GMAIL_ADDRESS and GMAIL_APP_PASSWORD');
  }

  let secretKey = e.SECRET_KEY;
  if (secretKey !== undefined && Buffer.byteLength(secretKey) < minSecretKeyBytes) {
    problems.push(`SECRET_KEY must be at least ${minSecretKeyBytes} bytes; generate one with: openssl rand -base64 48`);
  }
  if (secretKey === undefined && isProduction) {
    problems.push('NODE_ENV=production needs SECRET_KEY (at least 32 bytes); generate one with: openssl rand -base64 48');
  }

  const database = databaseFrom(e, dataDir, problems);
  if (e.REDIS_URL !== undefined && !/^rediss?:\/\//.test(e.REDIS_URL))
    problems.push('REDIS_URL must start with redis:// or rediss://');
  if (e.METRICS_TOKEN !== undefined && Buffer.byteLength(e.METRICS_TOKEN) < 16) {
    problems.push('METRICS_TOKEN must be at least 16 bytes; generate one with: openssl rand -hex 24');
  }
  const api = apiConfigFrom(e, e.APP_NAME, isProduction, problems);
  const http = httpServerConfigFrom(e, problems);
  const dkim = dkimConfigFrom(e, problems);
  const bounces = bounceConfigFrom(e, api.keyHashes, problems);
  const challenge = challengeConfigFrom(e, problems);
  const abuse = abuseConfigFrom(e, problems);
  if (e.PUBLIC_URL !== undefined && !/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(e.PUBLIC_URL)) {
    problems.push('PUBLIC_URL must be the address people open the pages at, like https://otp.example.com');
  } else if (isProduction && e.PUBLIC_URL?.startsWith('http:')) {
    // The emailed link is a bearer credential: over plain http anyone on the path can use it first.
    problems.push('PUBLIC_URL must use https in production: the emailed link signs its holder in');
  }
  const publicUrl = (
    e.PUBLIC_URL ?? (isProduction ? undefined : `http://${e.HOST === '0.0.0.0' ? 'localhost' : e.HOST}:${e.PORT}`)
  )?.replace(/\/+$/, '');
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  secretKey ??= developmentSecretKey(dataDir);

  return Object.freeze({
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    sqliteFile: database.kind === 'sqlite' ? database.file : join(dataDir, 'otp.sqlite'),
    database: Object.freeze(database),
    autoMigrate: e.AUTO_MIGRATE === 'true',
    ...(e.REDIS_URL === undefined ? {} : { redisUrl: e.REDIS_URL }),
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    secretKey,
    oldSecretKeys: Object.freeze(
      (e.OLD_SECRET_KEYS ?? '')
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    ),
    mail: Object.freeze(mail),
    ...(dkim === undefined ? {} : { dkim }),
    appName: e.APP_NAME,
    ...(publicUrl === undefined ? {} : { publicUrl }),
    api,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty' : 'json'),
    ...(e.METRICS_TOKEN === undefined ? {} : { metricsToken: e.METRICS_TOKEN }),
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    http,
    policy: Object.freeze({
      codeLength: e.OTP_LENGTH,
      codeTtlSeconds: e.OTP_TTL_SECONDS,
      maxAttemptsPerCode: e.OTP_MAX_ATTEMPTS,
      addressFailureLimit: e.OTP_ADDRESS_FAILURE_LIMIT,
      addressFailureWindowSeconds: e.OTP_ADDRESS_FAILURE_WINDOW_SECONDS,
      maxLiveCodes: e.OTP_MAX_LIVE_CODES,
      resendCooldownSeconds: e.OTP_RESEND_COOLDOWN_SECONDS,
      sendLimit: e.OTP_SEND_LIMIT,
      sendWindowSeconds: e.OTP_SEND_WINDOW_SECONDS,
      dailySendLimit: e.OTP_DAILY_SEND_LIMIT,
      purposes: Object.freeze(e.OTP_PURPOSES),
    }),
    ipRequestLimit: e.OTP_IP_REQUEST_LIMIT,
    ipVerifyLimit: e.OTP_IP_VERIFY_LIMIT,
    clientLimitWindowSeconds: e.OTP_IP_REQUEST_WINDOW_SECONDS,
    sweepIntervalSeconds: e.OTP_SWEEP_INTERVAL_SECONDS,
    outbox: Object.freeze({
      worker: e.OUTBOX_WORKER,
      concurrency: e.OUTBOX_CONCURRENCY,
      pollIntervalMs: e.OUTBOX_POLL_INTERVAL_MS,
      leaseMs: e.OUTBOX_LEASE_SECONDS * 1000,
      retryBaseDelayMs: e.OUTBOX_RETRY_BASE_MS,
      retryMaxDelayMs: e.OUTBOX_RETRY_MAX_MS,
      giveUpAfterMs: e.OUTBOX_GIVE_UP_SECONDS * 1000,
      shutdownGraceMs: e.OUTBOX_SHUTDOWN_GRACE_SECONDS * 1000,
    }),
    suppression: suppressionConfigFrom(e),
    bounces,
    challenge,
    abuse,
    mailLimits: mailLimitsConfigFrom(e, mail.kind),
  });
}

function databaseFrom(
  e: Pick<z.infer<typeof envSchema>, 'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'DATABASE_CONNECT_TIMEOUT_MS'>,
  dataDir: string,
  problems: string[],
): DatabaseConfig {
  const url = e.DATABASE_URL;
  if (url === undefined) return { kind: 'sqlite', file: join(dataDir, 'otp.sqlite') };
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', file: resolve(url.slice('sqlite:'.length).replace(/^\/\//, '')) };
  if (/^postgres(ql)?:\/\//.test(url)) {
    return { kind: 'postgres', url, poolSize: e.DATABASE_POOL_SIZE, connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS };
  }
  problems.push(
    'DATABASE_URL must be empty (SQLite under DATA_DIR), sqlite:PATH, or postgres://user:password@host:5432/database',
  );
  return { kind: 'sqlite', file: '' };
}

function parseTrustProxy(value: string | undefined): boolean | number | readonly string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return Object.freeze(
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  );
}

/** A newcomer has no secret: make a strong one once and keep it beside the database. */
function developmentSecretKey(dataDir: string): string {
  const file = join(dataDir, 'secret-key');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (Buffer.byteLength(kept) < minSecretKeyBytes) {
      throw new ConfigError(
        `${file} holds a secret shorter than ${minSecretKeyBytes} bytes: delete the file to have a new one generated`,
      );
    }
    return kept;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
