import type { Kysely, Migration } from 'kysely';

/** The one-time link beside each code: its SHA-256, looked up when the link is used. */
export const linkTokensSchema: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('otp_codes').addColumn('link_hash', 'varchar(64)').execute();
    await db.schema.createIndex('otp_codes_link_hash').on('otp_codes').column('link_hash').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('otp_codes_link_hash').execute();
    await db.schema.alterTable('otp_codes').dropColumn('link_hash').execute();
  },
};
