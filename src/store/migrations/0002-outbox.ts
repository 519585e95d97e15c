import type { Kysely, Migration } from 'kysely';

export const outboxSchema: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('outbox_messages')
      // One email per code: the message id is the code id, so a page can ask about "its" email.
      .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
      .addColumn('recipient', 'varchar(254)', (col) => col.notNull())
      .addColumn('sealed_body', 'text')
      .addColumn('status', 'varchar(16)', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addColumn('next_attempt_at', 'bigint', (col) => col.notNull())
      .addColumn('lease_until', 'bigint')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .addColumn('sent_at', 'bigint')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addColumn('last_error', 'varchar(500)')
      .execute();
    await db.schema.createIndex('outbox_messages_due').on('outbox_messages').columns(['status', 'next_attempt_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('outbox_messages').execute();
  },
};
