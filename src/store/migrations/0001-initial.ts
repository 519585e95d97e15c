import type { Kysely, Migration } from 'kysely';

export const initialSchema: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('otp_challenges')
      .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
      .addColumn('address', 'varchar(254)', (col) => col.notNull())
      .addColumn('purpose', 'varchar(64)', (col) => col.notNull())
      .addColumn('generation', 'integer', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addColumn('last_sent_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addUniqueConstraint('otp_challenges_address_purpose', ['address', 'purpose'])
      .execute();

    await db.schema
      .createTable('otp_codes')
      .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
      .addColumn('challenge_id', 'varchar(36)', (col) => col.notNull().references('otp_challenges.id').onDelete('cascade'))
      .addColumn('generation', 'integer', (col) => col.notNull())
      .addColumn('key_id', 'varchar(32)', (col) => col.notNull())
      .addColumn('code_hash', 'varchar(64)', (col) => col.notNull())
      .addColumn('status', 'varchar(16)', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .addColumn('requested_ip', 'varchar(64)')
      .execute();
    await db.schema
      .createIndex('otp_codes_challenge_live')
      .on('otp_codes')
      .columns(['challenge_id', 'status', 'generation'])
      .execute();
    await db.schema.createIndex('otp_codes_expires_at').on('otp_codes').column('expires_at').execute();

    await db.schema
      .createTable('rate_windows')
      .addColumn('key', 'varchar(300)', (col) => col.primaryKey())
      .addColumn('window_start', 'bigint', (col) => col.notNull())
      .addColumn('count', 'integer', (col) => col.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('rate_windows').execute();
    await db.schema.dropTable('otp_codes').execute();
    await db.schema.dropTable('otp_challenges').execute();
  },
};
