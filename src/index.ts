/**
 * otp-app as a library: `createOtpRuntime` (core + store + mail + token signer) and `otpPlugin`
 * (the hosted pages and/or the JSON API for Fastify). The otp-app server is built from these too.
 *
 * @example
 * import Fastify from 'fastify';
 * import { createOtpRuntime, otpPlugin } from 'otp-app';
 *
 * const otp = await createOtpRuntime({
 *   secretKey: process.env.OTP_SECRET_KEY!,
 *   smtpUrl: 'smtps://user:pass@smtp.example.com:465',
 *   mailFrom: 'Example <no-reply@example.com>',
 *   publicUrl: 'https://example.com/otp',              // where the pages are: the emails link there
 *   api: { keyHashes: [process.env.OTP_API_KEY_HASH!] },
 * });
 * const app = Fastify();
 * await app.register(otpPlugin, { prefix: '/otp', otp, api: true });
 * app.addHook('onClose', () => otp.close());
 */
import pino, { type Logger } from 'pino';
import type { MailDomainResolver } from './abuse/mail-domain-resolver.js';
import { type Config, loadConfig } from './config/config.js';
import type { Clock } from './core/clock.js';
import type { CodeGenerator } from './core/one-time-code.js';
import type { OtpPolicy } from './core/otp-policy.js';
import type { MailTransport } from './mail/outgoing-message.js';
import { type OtpRuntime, openOtpRuntime } from './runtime/otp-runtime.js';

export type { MailDomainResolver } from './abuse/mail-domain-resolver.js';
export type { ApiConfig, TokenConfig } from './config/api-config.js';
export type { Config } from './config/config.js';
export { ConfigError } from './config/config.js';
export { generateApiKey, sha256Hex } from './core/api-key.js';
export type { Clock } from './core/clock.js';
export type { DeliveryStatus } from './core/code-delivery.js';
export type { DeliveryEvent, DeliveryEventResult, DeliveryEvents, SuppressionCause } from './core/delivery-events.js';
export type { RequestOutcome, VerifyOutcome } from './core/otp-outcome.js';
export type { OtpPolicy } from './core/otp-policy.js';
export type { OtpService, RequestCodeInput, VerifyCodeInput } from './core/otp-service.js';
export { contextDigest, type IssuedToken, type VerificationClaims, type VerificationTokens } from './core/verification-token.js';
export type { MailTransport, OutgoingMessage } from './mail/outgoing-message.js';
export type { OtpRuntime } from './runtime/otp-runtime.js';
export { type ApiProblemCode, apiProblemCodes, type Problem } from './web/api/api-problem.js';
export { type OtpPluginOptions, otpPlugin } from './web/otp-plugin.js';

/** Typed options of `createOtpRuntime`; each has the same default and checks as its environment variable. */
export interface OtpRuntimeOptions {
  /** At least 32 bytes (`openssl rand -base64 48`). Keys code hashes, the outbox seal, cookies and stored signing keys. SECRET_KEY */
  secretKey: string;
  /** Former secrets: still verify, never sign. OLD_SECRET_KEYS */
  oldSecretKeys?: readonly string[];
  /** Production turns on secure cookies and HSTS and refuses unsafe settings. @default true */
  production?: boolean;
  /** `sqlite:/path/file.sqlite` or `postgres://…`. @default SQLite file under `dataDir` */
  databaseUrl?: string;
  /** @default './data' */
  dataDir?: string;
  /** SMTP_URL, e.g. `smtps://user:pass@smtp.example.com:465`. */
  smtpUrl?: string;
  /** Any transport instead of SMTP (tests, your own mail service). Outside production only, for now. */
  mailTransport?: MailTransport;
  /** @default `${appName} <no-reply@localhost>` */
  mailFrom?: string;
  /** Shown in emails and pages. @default 'otp-app' */
  appName?: string;
  /**
   * Where people open the hosted pages, prefix included: `https://shop.example.com/otp` when you
   * `register(otpPlugin, { prefix: '/otp' })`. The email's one-time link points there (`…/otp/secure-otp/link/…`);
   * otpPlugin refuses to mount the pages at another prefix. Without it emails carry the code only. PUBLIC_URL
   */
  publicUrl?: string;
  /** Code policy; every omitted rule keeps its default (see OtpPolicy). */
  policy?: Partial<OtpPolicy>;
  /** Per-client-IP code requests per window (clientLimitWindowSeconds). @default 30 */
  ipRequestLimit?: number;
  /** The window of every per-client limit: code requests and verifies per IP, calls per API key. @default 600 */
  clientLimitWindowSeconds?: number;
  /** @deprecated Renamed clientLimitWindowSeconds (it was always the verify and per-key window too); still honoured. */
  ipRequestWindowSeconds?: number;
  api?: {
    /** @default true when keyHashes is not empty */
    enabled?: boolean;
    /** SHA-256 hex of each accepted key, optionally `label:hash`; make them with `otp-app api-key`. */
    keyHashes?: readonly string[];
    /** Where the success page posts the token back to. */
    returnUrl?: string;
  };
  tokens?: {
    /** @default 600 */
    ttlSeconds?: number;
    /** @default appName */
    issuer?: string;
    /** Operator-managed Ed25519 private keys (PKCS#8 PEM or base64 DER), first signs. @default generated and stored */
    signingKeys?: readonly string[];
    /** @default 90; 0 = never by age */
    rotateAfterDays?: number;
  };
  /** How long a permanent bounce keeps its address off the mail (docs/suppression.md). @default 30 SUPPRESSION_DAYS */
  suppressionDays?: number;
  /**
   * The proof of work on the hosted request form (docs/challenge.md): `auto` only under pressure (pumping,
   * a busy network or recipient domain), `off`, or `always`. The API is never challenged. OTP_CHALLENGE @default 'auto'
   */
  challenge?: 'auto' | 'off' | 'always';
  /** Defences against spraying, pumping and throw-away addresses (docs/abuse.md); each keeps its default when omitted. */
  abuse?: {
    /** Code requests per recipient domain per hour. OTP_DOMAIN_REQUEST_LIMIT @default 100 */
    domainRequestLimit?: number;
    /** The same for each large provider. OTP_LARGE_PROVIDER_REQUEST_LIMIT @default 2000 */
    largeProviderRequestLimit?: number;
    /** OTP_LARGE_PROVIDER_DOMAINS @default gmail.com, outlook.com, yahoo.com, icloud.com, … */
    largeProviderDomains?: readonly string[];
    /** Refuse throw-away mailbox domains. BLOCK_DISPOSABLE_EMAIL @default false */
    blockDisposableEmail?: boolean;
    /** Refuse domains that cannot receive mail (DNS failures let the request through). OTP_CHECK_MX @default false */
    checkMx?: boolean;
    /** DNS for checkMx. @default node:dns with the system's servers */
    mailDomainResolver?: MailDomainResolver;
    /** Page requests and verifies per client network (/24, /64) per window. OTP_SUBNET_REQUEST_LIMIT, OTP_SUBNET_VERIFY_LIMIT @default 200, 2000 */
    subnetRequestLimit?: number;
    subnetVerifyLimit?: number;
  };
  /** Deliver queued mail from this process. @default true */
  runWorker?: boolean;
  /** @default a pino logger at `info` on stdout */
  logger?: Logger;
  clock?: Clock;
  codeGenerator?: CodeGenerator;
}

/**
 * Opens the database (migrating it), the mail transport and the token signer, and starts the outbox
 * worker: everything `otpPlugin` needs, or use `otp.service` directly. Call `close()` on shutdown.
 *
 * @example
 * const otp = await createOtpRuntime({ secretKey, smtpUrl });
 * const sent = await otp.service.request({ address: 'anna@example.com', purpose: 'confirm-action', context: 'Pay 120.00 EUR to ACME Ltd' });
 */
export async function createOtpRuntime(options: OtpRuntimeOptions): Promise<OtpRuntime> {
  // The options go through the same parser and checks as the environment: one set of rules.
  const config = loadConfig(
    withoutUndefined({
      NODE_ENV: options.production === false ? 'development' : 'production',
      SECRET_KEY: options.secretKey,
      OLD_SECRET_KEYS: options.oldSecretKeys?.join(','),
      DATABASE_URL: options.databaseUrl,
      DATA_DIR: options.dataDir,
      SMTP_URL: options.smtpUrl,
      MAIL_FROM: options.mailFrom,
      APP_NAME: options.appName,
      PUBLIC_URL: options.publicUrl,
      OTP_LENGTH: options.policy?.codeLength,
      OTP_TTL_SECONDS: options.policy?.codeTtlSeconds,
      OTP_MAX_ATTEMPTS: options.policy?.maxAttemptsPerCode,
      OTP_ADDRESS_FAILURE_LIMIT: options.policy?.addressFailureLimit,
      OTP_ADDRESS_FAILURE_WINDOW_SECONDS: options.policy?.addressFailureWindowSeconds,
      OTP_MAX_LIVE_CODES: options.policy?.maxLiveCodes,
      OTP_RESEND_COOLDOWN_SECONDS: options.policy?.resendCooldownSeconds,
      OTP_SEND_LIMIT: options.policy?.sendLimit,
      OTP_SEND_WINDOW_SECONDS: options.policy?.sendWindowSeconds,
      OTP_DAILY_SEND_LIMIT: options.policy?.dailySendLimit,
      OTP_PURPOSES: options.policy?.purposes?.join(','),
      OTP_IP_REQUEST_LIMIT: options.ipRequestLimit,
      SUPPRESSION_DAYS: options.suppressionDays,
      OTP_IP_REQUEST_WINDOW_SECONDS: options.clientLimitWindowSeconds ?? options.ipRequestWindowSeconds,
      API_ENABLED: options.api?.enabled,
      API_KEY_HASHES: options.api?.keyHashes?.join(','),
      RETURN_URL: options.api?.returnUrl,
      TOKEN_TTL_SECONDS: options.tokens?.ttlSeconds,
      TOKEN_ISSUER: options.tokens?.issuer,
      TOKEN_SIGNING_KEYS: options.tokens?.signingKeys?.join(','),
      TOKEN_KEY_ROTATION_DAYS: options.tokens?.rotateAfterDays,
      OTP_CHALLENGE: options.challenge,
      OTP_DOMAIN_REQUEST_LIMIT: options.abuse?.domainRequestLimit,
      OTP_LARGE_PROVIDER_REQUEST_LIMIT: options.abuse?.largeProviderRequestLimit,
      OTP_LARGE_PROVIDER_DOMAINS: options.abuse?.largeProviderDomains?.join(','),
      BLOCK_DISPOSABLE_EMAIL: options.abuse?.blockDisposableEmail,
      OTP_CHECK_MX: options.abuse?.checkMx,
      OTP_SUBNET_REQUEST_LIMIT: options.abuse?.subnetRequestLimit,
      OTP_SUBNET_VERIFY_LIMIT: options.abuse?.subnetVerifyLimit,
    }),
  );
  const logger = options.logger ?? pino({ level: 'info' });
  return openOtpRuntime(options.publicUrl === undefined ? withoutPublicUrl(config) : config, logger, {
    runWorker: options.runWorker ?? true,
    ...(options.mailTransport === undefined ? {} : { transport: options.mailTransport }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.codeGenerator === undefined ? {} : { codeGenerator: options.codeGenerator }),
    ...(options.abuse?.mailDomainResolver === undefined ? {} : { mailDomainResolver: options.abuse.mailDomainResolver }),
  });
}

/**
 * Outside production the configuration defaults PUBLIC_URL to HOST:PORT, the standalone server's own
 * address. An embedding app serves its pages elsewhere: without a publicUrl of its own, no link.
 */
function withoutPublicUrl(config: Readonly<Config>): Readonly<Config> {
  const { publicUrl: _standaloneDefault, ...rest } = config;
  return Object.freeze(rest);
}

function withoutUndefined(values: Record<string, string | number | boolean | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
      .map(([key, value]) => [key, String(value)]),
  );
}

/** @deprecated Renamed: it returns an OtpRuntime (the service, its store, mail and signer). Use createOtpRuntime. */
export const createOtpService = createOtpRuntime;
/** @deprecated Renamed with createOtpRuntime. Use OtpRuntimeOptions. */
export type OtpServiceOptions = OtpRuntimeOptions;
