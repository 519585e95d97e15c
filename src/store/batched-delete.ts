import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { dialectOf } from './dialect.js';

export interface BatchedDeleteInput {
  table: string;
  /** A unique, indexed column (the primary key) to walk the table by. */
  key: string;
  /** Which rows of each range to delete. */
  where: (eb: ExpressionBuilder<any, any>) => Expression<SqlBool>;
  /** Rows examined per statement. @default 1000 */
  batchSize?: number;
}

/**
 * Deletes matching rows in short statements over consecutive key ranges, resting between them. One big
 * DELETE of a million rows holds SQLite's single write lock (and, with better-sqlite3, the event loop)
 * for seconds; ranges of a thousand keys keep every statement short, so requests keep flowing while a
 * large backlog is swept. Each range is found through the key's index, so the work per statement stays
 * bounded however large the table is.
 *
 * @returns the number of rows deleted
 */
export async function deleteInKeyRanges(db: Kysely<any>, input: BatchedDeleteInput): Promise<number> {
  const { table, key } = input;
  const batchSize = input.batchSize ?? 1000;
  const sharesOneConnection = dialectOf(db) === 'sqlite';
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
    // SQLite has one connection: rest as long as the batch took (at most 50 ms), since a request needs it
    // several times in a row and would otherwise queue behind a batch at each step. PostgreSQL runs the
    // sweep on a pooled connection of its own, beside the requests: a turn of the event loop is enough.
    const restMs = sharesOneConnection ? Math.min(50, performance.now() - batchStartedMs) : 0;
    await new Promise((resolve) => (restMs > 0 ? setTimeout(resolve, restMs) : setImmediate(resolve)));
  }
}
