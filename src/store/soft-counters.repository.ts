import { type Kysely, sql } from 'kysely';
import type { SoftCounters } from '../core/soft-counters.js';
import type { Database } from './schema.js';

/**
 * Soft counters in the rate_windows table (no Redis configured): one row per key, one upsert per hit,
 * so concurrent processes never lose a count. Rows are swept with every other rate window.
 */
export class KyselySoftCounters implements SoftCounters {
  constructor(private readonly db: Kysely<Database>) {}

  async hit(key: string, windowMs: number, nowMs: number): Promise<number> {
    const overBefore = nowMs - windowMs;
    const { rows } = await sql<{ count: number | string }>`
      insert into rate_windows (key, window_start, count) values (${key}, ${nowMs}, 1)
      on conflict (key) do update set
        count = case when rate_windows.window_start <= ${overBefore} then 1 else rate_windows.count + 1 end,
        window_start = case when rate_windows.window_start <= ${overBefore} then ${nowMs} else rate_windows.window_start end
      returning count`.execute(this.db);
    return Number(rows[0]?.count ?? 1);
  }

  async peek(key: string, windowMs: number, nowMs: number): Promise<number> {
    const { rows } = await sql<{ count: number | string }>`
      select count from rate_windows where key = ${key} and window_start > ${nowMs - windowMs}`.execute(this.db);
    return Number(rows[0]?.count ?? 0);
  }
}
