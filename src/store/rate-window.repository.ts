import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

export interface RateWindowInput {
  key: string;
  limit: number;
  windowMs: number;
  nowMs: number;
}

/** `resetInMs`: how long until the window that now holds `count` events rolls over. */
export type RateWindowResult = { ok: true; count: number; resetInMs: number } | { ok: false; retryAfterMs: number };

/**
 * Counts one event in a fixed window, only if the window still has room: one upsert, so concurrent
 * callers can never push the count past the limit.
 */
export async function consumeRateWindow(db: Kysely<Database>, input: RateWindowInput): Promise<RateWindowResult> {
  const { key, limit, windowMs, nowMs } = input;
  const windowOver = sql<boolean>`rate_windows.window_start <= ${nowMs - windowMs}`;
  const row = await db
    .insertInto('rate_windows')
    .values({ key, window_start: nowMs, count: 1 })
    .onConflict((conflict) =>
      conflict
        .column('key')
        .doUpdateSet({
          count: sql`case when ${windowOver} then 1 else rate_windows.count + 1 end`,
          window_start: sql`case when ${windowOver} then ${nowMs} else rate_windows.window_start end`,
        })
        .where(sql<boolean>`${windowOver} or rate_windows.count < ${limit}`),
    )
    .returning(['count', 'window_start'])
    .executeTakeFirst();
  if (row !== undefined) return { ok: true, count: Number(row.count), resetInMs: Number(row.window_start) + windowMs - nowMs };

  const current = await db.selectFrom('rate_windows').select('window_start').where('key', '=', key).executeTakeFirst();
  const windowStart = Number(current?.window_start ?? nowMs);
  return { ok: false, retryAfterMs: Math.max(1000, windowStart + windowMs - nowMs) };
}

/** Gives back one counted event of the current window (e.g. a success that is not a failure). */
export async function refundRateWindow(db: Kysely<Database>, input: Omit<RateWindowInput, 'limit'>): Promise<void> {
  await db
    .updateTable('rate_windows')
    .set({ count: sql`count - 1` })
    .where('key', '=', input.key)
    .where('count', '>', 0)
    .where('window_start', '>', input.nowMs - input.windowMs)
    .execute();
}

export const rateWindowKeys = {
  sends: (address: string) => `send:${address}`,
  addressAttempts: (address: string) => `attempt:${address}`,
};
