import { createRequire } from 'node:module';
import type { Redis as RedisClient } from 'ioredis';
import type { SpentChallengeStore } from '../core/proof-of-work.js';
import type { SoftCounters } from '../core/soft-counters.js';

/** A Redis that does not answer within this long counts as down for that request. */
const redisCommandTimeoutMs = 500;

export interface RedisPressureStore {
  counters: SoftCounters;
  spent: SpentChallengeStore;
  close(): Promise<void>;
}

/**
 * Soft counters and spent challenges in Redis (REDIS_URL), shared by every process: an INCR per hit in
 * a fixed window (the window's index is in the key, so a key expires on its own), a SET NX PX per
 * spent solution. Commands fail fast while Redis is away; the callers decide what an error means.
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
    spent: {
      async spend(challengeId, expiresAtMs, nowMs) {
        // Kept a minute past expiry: a solution can never be good again once its challenge has expired.
        const ttlMs = Math.max(1000, expiresAtMs - nowMs + 60_000);
        return (await redis.set(`${keyPrefix}pow-spent:${challengeId}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
      },
    },
    async close() {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
