import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

// The owner of mail_daily_sends: code emails queued per hour, for the deployment's daily cap. Each hour
// has a few rows (shards); a send bumps one picked at random, so no single row is updated by every
// request (on PostgreSQL, one hot row would make every request wait for the previous one's commit).

export const hourMs = 3_600_000;

export interface DailySendSlot {
  hourStartMs: number;
  shard: number;
}

/** Counts one send (or, with `delta` -1, gives one back) in its hour's shard: one upsert. */
export async function bumpDailySends(db: Kysely<Database>, slot: DailySendSlot, delta: 1 | -1): Promise<void> {
  await sql`
    insert into mail_daily_sends (hour_start, shard, count) values (${slot.hourStartMs}, ${slot.shard}, ${delta})
    on conflict (hour_start, shard) do update set count = mail_daily_sends.count + ${delta}`.execute(db);
}

/** Sends per hour from `sinceMs` on (hour starts ≥ sinceMs), oldest first: at most a day's worth of rows. */
export async function dailySendsByHour(db: Kysely<Database>, sinceMs: number): Promise<{ hourStartMs: number; count: number }[]> {
  const { rows } = await sql<{ hour_start: number | string; count: number | string }>`
    select hour_start, sum(count) as count from mail_daily_sends
    where hour_start >= ${sinceMs} group by hour_start order by hour_start`.execute(db);
  return rows.map((row) => ({ hourStartMs: Number(row.hour_start), count: Number(row.count) }));
}

/** Sweeps hours that no longer count toward any day. */
export async function deleteOldDailySends(db: Kysely<Database>, cutoffMs: number): Promise<number> {
  const result = await db.deleteFrom('mail_daily_sends').where('hour_start', '<', cutoffMs).executeTakeFirst();
  return Number(result.numDeletedRows);
}
