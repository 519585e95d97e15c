import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { dialectOf } from './dialect.js';

export interface BatchedDeleteInput {
  table: string;
  /** A unique, indexed column (the primary key) to walk the table by. */
  key: string;
  /** Which rows of each range to delete. */
  where: (eb: ExpressionBuilder<any, any>) => Expression<SqlBool>;
  /** Most rows examined per statement; fewer while statements take longer than targetBatchMs. @default 1000 */
  batchSize?: number;
  /**
   * How long one statement may take (SQLite runs it on the event loop, so requests wait that long).
   * Ranges halve while a statement takes more than twice this, and grow back while it takes less than
   * half: a fixed 1000 held the loop ≈5 ms per batch here, and ×2.2 the p99 of concurrent verifies
   * during a sweep of a million codes (npm run bench, scale). @default 3 on SQLite, none on PostgreSQL
   */
  targetBatchMs?: number;
}

const minBatchSize = 50;

/**
 * Deletes matching rows in short statements over consecutive key ranges, resting between them. One big
 * DELETE of a million rows holds SQLite's single write lock (and, with better-sqlite3, the event loop)
 * for seconds; ranges of at most a thousand keys, fewer while they take longer than a few ms, keep every
 * statement short, so requests keep flowing while a large backlog is swept. Each range is found through
 * the key's index, so the work per statement stays bounded however large the table is.
 *
 * @returns the number of rows deleted
 */
export async function deleteInKeyRanges(db: Kysely<any>, input: BatchedDeleteInput): Promise<number> {
  const { table, key } = input;
  const maxBatchSize = input.batchSize ?? 1000;
  // Only SQLite runs a statement on the event loop; a PostgreSQL statement's time is mostly waiting for
  // the server, and shrinking its ranges only multiplies round trips (a 1M sweep crawled in ranges of 50).
  const targetBatchMs = input.targetBatchMs ?? (dialectOf(db) === 'sqlite' ? 3 : Number.POSITIVE_INFINITY);
  let batchSize = maxBatchSize;
  let after: string | undefined;
  let deleted = 0n;
  for (;;) {
    const batchStartedMs = performance.now();
    // The key `batchSize` rows on: the end of this range (none left = the rest of the table).
    const end = await db
      .selectFrom(table)
      .select(key)
      .$if(after !== undefined, (query) => query.where(key, '>', after))
      .orderBy(key)
      .limit(1)
      .offset(batchSize - 1)
      .executeTakeFirst();
    const upTo = end === undefined ? undefined : String((end as Record<string, unknown>)[key]);
    const result = await db
      .deleteFrom(table)
      .$if(after !== undefined, (query) => query.where(key, '>', after))
      .$if(upTo !== undefined, (query) => query.where(key, '<=', upTo))
      .where(input.where)
      .executeTakeFirst();
    deleted += result.numDeletedRows;
    if (upTo === undefined) return Number(deleted);
    after = upTo;
    // Rest as long as the batch took (at most 50 ms), so the sweep never takes more than half of what it
    // shares with requests. SQLite has one connection, which a request needs several times in a row and
    // would otherwise queue for behind a batch at each step. PostgreSQL sweeps on a pooled connection of
    // its own, but on the same server CPUs: flat out, a sweep of a million rows raised the p99 of
    // concurrent requests 2.5-fold (npm run bench -- --postgres, scale).
    const tookMs = performance.now() - batchStartedMs;
    if (tookMs > 2 * targetBatchMs) batchSize = Math.max(minBatchSize, Math.floor(batchSize / 2));
    else if (tookMs < targetBatchMs / 2) batchSize = Math.min(maxBatchSize, Math.ceil(batchSize * 1.5));
    const restMs = Math.min(50, tookMs);
    await new Promise((resolve) => (restMs > 0 ? setTimeout(resolve, restMs) : setImmediate(resolve)));
  }
}
