import { createRequire } from 'node:module';
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { Redis as RedisClient } from 'ioredis';
import type { Logger } from 'pino';

export interface ClientRateLimitSettings {
  /** Count in this Redis, shared by every app process; in this process's memory when undefined. */
  redisUrl?: string;
  /** Prefix of the Redis keys, so deployments and test runs sharing a Redis do not count each other. */
  redisKeyPrefix: string;
}

export interface ClientRateLimit {
  /** Options for @fastify/rate-limit, registered once; routes set their own `max` and `timeWindow`. */
  pluginOptions: RateLimitPluginOptions;
  /**
   * Resolves once Redis answers, or has failed once (then the limits fail open as below): a process
   * that starts serving before its connection is up would let its first requests through uncounted.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** A Redis that does not answer within this long counts as down for that request. */
const redisCommandTimeoutMs = 500;

/**
 * Where per-IP request limits are counted. With several app processes behind a load balancer they
 * must share one counter, or each process would grant the full limit; Redis is that counter.
 *
 * Redis down → fail OPEN (`skipOnError`): the request goes through uncounted and the outage is logged.
 * The per-IP limit is a coarse brake on spraying many addresses; the limits that carry the security —
 * attempts per code and per address, sends per address, the resend cooldown — live in the database and
 * hold with or without Redis. Failing closed would turn a cache outage into nobody being able to sign in.
 * Commands fail fast while Redis is away (no offline queue, a short timeout), so requests do not stall.
 */
export function createClientRateLimit(settings: ClientRateLimitSettings, logger: Logger): ClientRateLimit {
  // The IETF RateLimit-* headers (draft spec) on every limited route, and Retry-After on a 429.
  const common = { global: false, enableDraftSpec: true } as const;
  if (settings.redisUrl === undefined) return { pluginOptions: common, ready: async () => {}, close: async () => {} };

  // Loaded only when configured: ioredis costs ~15 MB of memory that a single process never needs.
  const { Redis } = createRequire(import.meta.url)('ioredis') as { Redis: typeof RedisClient };
  const redis = new Redis(settings.redisUrl, {
    enableOfflineQueue: false,
    commandTimeout: redisCommandTimeoutMs,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    // Keep trying to come back, at most every 2 s: the limits are shared again as soon as Redis is.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn(
      { event: 'ratelimit.redis_down', err: error },
      'Redis unreachable: per-IP limits are not enforced until it is back (fail open)',
    );
  });
  redis.on('ready', () => {
    if (down) logger.info({ event: 'ratelimit.redis_back' }, 'Redis reachable again: per-IP limits are shared again');
    down = false;
  });
  const firstAnswer = new Promise<void>((resolve) => {
    redis.once('ready', resolve);
    redis.once('error', () => resolve());
  });
  return {
    pluginOptions: { ...common, redis, nameSpace: `${settings.redisKeyPrefix}ip-limit:`, skipOnError: true },
    ready: () => (redis.status === 'ready' ? Promise.resolve() : firstAnswer),
    async close() {
      // quit() waits for Redis to answer; when it is down, just drop the connection.
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
