import type { Kysely, Migration } from 'kysely';

/** Success pages already shown, by the SHA-256 of the visit id in their "verified" flash: each is shown once. */
export const successVisitsSchema: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('success_visits')
      .addColumn('visit_hash', 'varchar(64)', (col) => col.primaryKey())
      .addColumn('keep_until', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('success_visits_keep_until').on('success_visits').column('keep_until').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('success_visits').execute();
  },
};
