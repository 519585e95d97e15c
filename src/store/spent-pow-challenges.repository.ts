import type { Kysely } from 'kysely';
import type { SpentChallengeStore } from '../core/proof-of-work.js';

/** Row type of `spent_pow_challenges` (migration 0009). Times are milliseconds since the epoch. */
export interface SpentPowChallengeRow {
  /** The challenge's nonce: random, and covered by its signature. */
  challenge_id: string;
  expires_at: number;
}

type SpentPowChallengeTables = {
  spent_pow_challenges: SpentPowChallengeRow;
};

/** Spent proof-of-work solutions in the shared database (used when no Redis is configured). */
export class KyselySpentChallengeStore implements SpentChallengeStore {
  private readonly db: Kysely<SpentPowChallengeTables>;

  constructor(db: Kysely<any>) {
    this.db = (db as Kysely<object>).withTables<SpentPowChallengeTables>();
  }

  async spend(challengeId: string, expiresAtMs: number, _nowMs?: number): Promise<boolean> {
    // One statement decides: of two submissions of one solution, only one inserts.
    const result = await this.db
      .insertInto('spent_pow_challenges')
      .values({ challenge_id: challengeId, expires_at: expiresAtMs })
      .onConflict((conflict) => conflict.column('challenge_id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
}

/** Kept a minute past expiry, as in Redis: a host whose clock runs behind may still accept the challenge. */
const spentGraceMs = 60_000;

/** The sweeper's statement for this table: a spent solution is harmless once its challenge has expired. */
export async function deleteExpiredPowChallenges(db: Kysely<any>, nowMs: number): Promise<number> {
  const result = await (db as Kysely<object>)
    .withTables<SpentPowChallengeTables>()
    .deleteFrom('spent_pow_challenges')
    .where('expires_at', '<', nowMs - spentGraceMs)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
