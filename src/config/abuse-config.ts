import { z } from 'zod';
import { defaultLargeMailProviders } from '../abuse/large-mail-providers.js';
import type { NetworkPrefixes } from '../core/client-network.js';
import { isDkimDomainName } from './dkim-config.js';
import { integer, optionalText } from './env-values.js';

/** Defences against rotation, spraying and throw-away addresses (docs/abuse.md). Part of Config. */
export interface AbuseConfig {
  /** Page requests and verifies per client network, over the per-IP limits' window. */
  subnet: { prefixes: NetworkPrefixes; requestLimit: number; verifyLimit: number };
  /** Code requests per recipient domain per hour, for pages, API and library alike. */
  domainRequests: { limit: number; largeProviderLimit: number; largeProviders: readonly string[]; windowSeconds: number };
  /** Refuse addresses at throw-away mailbox domains (BLOCK_DISPOSABLE_EMAIL). */
  blockDisposable: boolean;
  /** Check that the recipient domain can receive mail (OTP_CHECK_MX); absent when off. */
  mxCheck?: { timeoutMs: number; cacheSeconds: number };
}

const flag = z.enum(['true', 'false']).default('false');

/** The abuse variables, spread into config's env schema. */
export const abuseEnvShape = {
  OTP_SUBNET_V4_PREFIX: integer(24, 8, 32),
  OTP_SUBNET_V6_PREFIX: integer(64, 16, 128),
  OTP_SUBNET_REQUEST_LIMIT: integer(200, 1, 1_000_000),
  OTP_SUBNET_VERIFY_LIMIT: integer(2000, 1, 1_000_000),
  OTP_DOMAIN_REQUEST_LIMIT: integer(100, 1, 10_000_000),
  OTP_LARGE_PROVIDER_REQUEST_LIMIT: integer(2000, 1, 10_000_000),
  OTP_LARGE_PROVIDER_DOMAINS: optionalText,
  BLOCK_DISPOSABLE_EMAIL: flag,
  OTP_CHECK_MX: flag,
  OTP_MX_TIMEOUT_MS: integer(2000, 50, 30_000),
  OTP_MX_CACHE_SECONDS: integer(300, 0, 86_400),
};

type AbuseEnv = z.infer<z.ZodObject<typeof abuseEnvShape>>;

/** Builds the AbuseConfig; pushes each problem (with its fix) onto `problems`. */
export function abuseConfigFrom(e: AbuseEnv, problems: string[]): AbuseConfig {
  const largeProviders =
    e.OTP_LARGE_PROVIDER_DOMAINS === undefined
      ? defaultLargeMailProviders
      : e.OTP_LARGE_PROVIDER_DOMAINS.split(',')
          .map((domain) => domain.trim().toLowerCase())
          .filter(Boolean);
  const notDomains = largeProviders.filter((domain) => !isDkimDomainName(domain));
  if (notDomains.length > 0) {
    problems.push(
      `OTP_LARGE_PROVIDER_DOMAINS must be domain names separated by commas (like gmail.com,outlook.com): ${notDomains.join(', ')}`,
    );
  }
  if (e.OTP_LARGE_PROVIDER_REQUEST_LIMIT < e.OTP_DOMAIN_REQUEST_LIMIT) {
    problems.push(
      'OTP_LARGE_PROVIDER_REQUEST_LIMIT must be at least OTP_DOMAIN_REQUEST_LIMIT: a shared provider is many unrelated people',
    );
  }
  return Object.freeze({
    subnet: Object.freeze({
      prefixes: Object.freeze({ v4: e.OTP_SUBNET_V4_PREFIX, v6: e.OTP_SUBNET_V6_PREFIX }),
      requestLimit: e.OTP_SUBNET_REQUEST_LIMIT,
      verifyLimit: e.OTP_SUBNET_VERIFY_LIMIT,
    }),
    domainRequests: Object.freeze({
      limit: e.OTP_DOMAIN_REQUEST_LIMIT,
      largeProviderLimit: e.OTP_LARGE_PROVIDER_REQUEST_LIMIT,
      largeProviders: Object.freeze(largeProviders),
      windowSeconds: 3600,
    }),
    blockDisposable: e.BLOCK_DISPOSABLE_EMAIL === 'true',
    ...(e.OTP_CHECK_MX === 'true'
      ? { mxCheck: Object.freeze({ timeoutMs: e.OTP_MX_TIMEOUT_MS, cacheSeconds: e.OTP_MX_CACHE_SECONDS }) }
      : {}),
  });
}
