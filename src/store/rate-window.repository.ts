import { type Kysely, sql } from 'kysely';
import { deleteInKeyRanges } from './batched-delete.js';
import type { Database } from './schema.js';

export interface RateWindowInput {
  key: string;
  limit: number;
  windowMs: number;
  nowMs: number;
}

/** `resetInMs`: how long until the window that now holds `count` events rolls over. */
export type RateWindowResult = { ok: true; count: number; resetInMs: number } | { ok: false; retryAfterMs: number };

// The statements on the request and verify paths are written as SQL, not built: Kysely's builder cost
// more CPU than the statement itself (see docs/performance.md). Both dialects run this text.

/**
 * Counts one event in a fixed window, only if the window still has room: one upsert, so concurrent
 * callers can never push the count past the limit.
 */
export async function consumeRateWindow(db: Kysely<Database>, input: RateWindowInput): Promise<RateWindowResult> {
  const { key, limit, windowMs, nowMs } = input;
  const windowOverBefore = nowMs - windowMs;
  const { rows } = await sql<{ count: number | string; window_start: number | string }>`
    insert into rate_windows (key, window_start, count) values (${key}, ${nowMs}, 1)
    on conflict (key) do update set
      count = case when rate_windows.window_start <= ${windowOverBefore} then 1 else rate_windows.count + 1 end,
      window_start = case when rate_windows.window_start <= ${windowOverBefore} then ${nowMs} else rate_windows.window_start end
    where rate_windows.window_start <= ${windowOverBefore} or rate_windows.count < ${limit}
    returning count, window_start`.execute(db);
  const row = rows[0];
  if (row !== undefined) return { ok: true, count: Number(row.count), resetInMs: Number(row.window_start) + windowMs - nowMs };

  const current = await sql<{ window_start: number | string }>`
    select window_start from rate_windows where key = ${key}`.execute(db);
  const windowStart = Number(current.rows[0]?.window_start ?? nowMs);
  return { ok: false, retryAfterMs: Math.max(1000, windowStart + windowMs - nowMs) };
}

/** Gives back one counted event of the current window (e.g. a success that is not a failure). */
export async function refundRateWindow(db: Kysely<Database>, input: Omit<RateWindowInput, 'limit'>): Promise<void> {
  await sql`
    update rate_windows set count = count - 1
    where key = ${input.key} and count > 0 and window_start > ${input.nowMs - input.windowMs}`.execute(db);
}

/** Delete the window outright: a cooldown given back (its one event never reached anyone). */
export async function deleteRateWindow(db: Kysely<Database>, key: string): Promise<void> {
  await sql`delete from rate_windows where key = ${key}`.execute(db);
}

/** Sends and cooldowns are keyed on the canonical mailbox (canonical-mailbox.ts), never the alias typed. */
export const rateWindowKeys = {
  sends: (mailbox: string) => `send:${mailbox}`,
  dailySends: (mailbox: string) => `send-day:${mailbox}`,
  /** One flow's cooldown on one mailbox and purpose, across the mailbox's aliases. */
  cooldown: (mailbox: string, purpose: string, flowKey: string) => `cooldown:${purpose}:${flowKey}:${mailbox}`,
};

/** Sweeps windows that started before `cutoffMs` (the retention is at least the longest window). */
export function deleteOldRateWindows(db: Kysely<Database>, cutoffMs: number): Promise<number> {
  return deleteInKeyRanges(db, { table: 'rate_windows', key: 'key', where: (eb) => eb('window_start', '<=', cutoffMs) });
}
