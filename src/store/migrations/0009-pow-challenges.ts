import type { Kysely, Migration } from 'kysely';

/**
 * The adaptive proof-of-work challenge (docs/challenge.md): solutions already spent, kept until their
 * challenge expires, so each is good once across every process; and an index on when codes were
 * issued, for the share of codes verified in the last minutes (the pumping signal).
 */
export const powChallengesSchema: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('spent_pow_challenges')
      .addColumn('challenge_id', 'varchar(64)', (col) => col.primaryKey())
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('spent_pow_challenges_expires_at').on('spent_pow_challenges').column('expires_at').execute();
    await db.schema.createIndex('otp_codes_created_at').on('otp_codes').column('created_at').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('otp_codes_created_at').execute();
    await db.schema.dropTable('spent_pow_challenges').execute();
  },
};
