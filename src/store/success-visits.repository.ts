import type { Kysely } from 'kysely';
import type { SuccessVisitStore } from '../core/success-visit-store.js';

/** Row type of `success_visits` (migration 0005). Times are milliseconds since the epoch. */
export interface SuccessVisitRow {
  visit_hash: string;
  keep_until: number;
}

type SuccessVisitTables = {
  success_visits: SuccessVisitRow;
};

/** Spent success pages in the shared database, so a replayed flash is refused by every process. */
export class KyselySuccessVisitStore implements SuccessVisitStore {
  private readonly db: Kysely<SuccessVisitTables>;

  constructor(db: Kysely<any>) {
    this.db = (db as Kysely<object>).withTables<SuccessVisitTables>();
  }

  async spendSuccessVisit(visitIdHash: string, keepUntilMs: number): Promise<boolean> {
    // One statement decides: of two visits with one flash, only one inserts.
    const result = await this.db
      .insertInto('success_visits')
      .values({ visit_hash: visitIdHash, keep_until: keepUntilMs })
      .onConflict((conflict) => conflict.column('visit_hash').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
}

/**
 * The sweeper's statement for this table: a spent visit is useless once its flash is stale. A few rows
 * a minute at most, so one plain delete (by the keep_until index).
 */
export async function deleteStaleSuccessVisits(db: Kysely<any>, nowMs: number): Promise<number> {
  const result = await (db as Kysely<object>)
    .withTables<SuccessVisitTables>()
    .deleteFrom('success_visits')
    .where('keep_until', '<', nowMs)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
