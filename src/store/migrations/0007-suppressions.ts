import type { Kysely, Migration } from 'kysely';

/**
 * The suppression list (issue 13): addresses that get no mail, deployment-wide, keyed by the delivery
 * key (the exact address; at Gmail the inbox, so a dotted or `+tag` alias of a dead mailbox is suppressed too). `expires_at` null
 * means until an operator removes it (complaints, manual entries). Beside it, when a mail system
 * confirmed an email's delivery (`delivered_at`, from a provider's webhook).
 */
export const suppressionsSchema: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('suppressions')
      .addColumn('mailbox', 'varchar(300)', (col) => col.primaryKey())
      // The address as it bounced or was added, for the operator's list; the key above is what counts.
      .addColumn('address', 'varchar(254)', (col) => col.notNull())
      .addColumn('cause', 'varchar(16)', (col) => col.notNull())
      .addColumn('diagnostic', 'varchar(500)')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint')
      .execute();
    // The sweeper's range: expired bounces.
    await db.schema.createIndex('suppressions_expires_at').on('suppressions').column('expires_at').execute();
    await db.schema.alterTable('outbox_messages').addColumn('delivered_at', 'bigint').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('outbox_messages').dropColumn('delivered_at').execute();
    await db.schema.dropTable('suppressions').execute();
  },
};
