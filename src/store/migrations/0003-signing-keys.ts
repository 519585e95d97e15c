import type { Kysely, Migration } from 'kysely';

export const signingKeysSchema: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'varchar(64)', (col) => col.primaryKey())
      .addColumn('public_jwk', 'text', (col) => col.notNull())
      // PKCS#8 of the private key sealed with SECRET_KEY: a copy of the database cannot sign tokens.
      .addColumn('sealed_private_key', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('activates_at', 'bigint', (col) => col.notNull())
      .addColumn('retires_at', 'bigint')
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('signing_keys').execute();
  },
};
