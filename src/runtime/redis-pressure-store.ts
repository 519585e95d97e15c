import { createRequire } from 'node:module';
import type { Redis as RedisClient } from 'ioredis';
import type { SoftCounters } from '../core/soft-counters.js';

/** A Redis that does not answer within this long counts as down for that request. */
const redisCommandTimeoutMs = 500;

export interface RedisPressureStore {
  counters: SoftCounters;
  close(): Promise<void>;
}

/**
 * Soft counters in Redis (REDIS_URL), shared by every process: an INCR per hit in a fixed window (the
 * window's index is in the key, so a key expires on its own). Commands fail fast while Redis is away;
 * the callers decide what an error means. Spent challenges are not here: they live in the database
 * only (request-challenge-wiring.ts).
 */
export function openRedisPressureStore(redisUrl: string, keyPrefix: string, onError: (error: Error) => void): RedisPressureStore {
  // Loaded only when configured, as in client-rate-limit.ts.
  const { Redis } = createRequire(import.meta.url)('ioredis') as { Redis: typeof RedisClient };
  const redis = new Redis(redisUrl, {
    // Queued while (re)connecting, but never longer than the command timeout: the first requests after
    // start are counted, and a Redis that is away still costs a request at most that long.
    enableOfflineQueue: true,
    commandTimeout: redisCommandTimeoutMs,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', onError);
  const windowKey = (key: string, windowMs: number, nowMs: number) =>
    `${keyPrefix}pressure:${key}:${Math.floor(nowMs / windowMs)}`;
  return {
    counters: {
      async hit(key, windowMs, nowMs) {
        const fullKey = windowKey(key, windowMs, nowMs);
        const results = await redis
          .multi()
          .incr(fullKey)
          .pexpire(fullKey, 2 * windowMs)
          .exec();
        const [error, count] = results?.[0] ?? [new Error('Redis transaction aborted'), 0];
        if (error) throw error;
        return Number(count);
      },
      async peek(key, windowMs, nowMs) {
        return Number((await redis.get(windowKey(key, windowMs, nowMs))) ?? 0);
      },
    },
    async close() {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
