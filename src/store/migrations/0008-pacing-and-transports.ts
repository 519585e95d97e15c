import type { Kysely, Migration } from 'kysely';

/**
 * Delivery pacing and accounting (issue 13): each recipient domain's sending slots, the deployment's
 * sends per hour (for MAIL_DAILY_LIMIT), and on each outbox message the transport that took it and the
 * pacing slot it holds.
 */
export const pacingAndTransportsSchema: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('outbox_domain_pacing')
      .addColumn('domain', 'varchar(253)', (col) => col.primaryKey())
      // The domain's next free slot (GCRA's "theoretical arrival time"), ms since the epoch.
      .addColumn('next_slot_at', 'bigint', (col) => col.notNull())
      // After a deferral the domain's interval is multiplied by this until slowed_until.
      .addColumn('slow_factor', 'integer', (col) => col.notNull())
      .addColumn('slowed_until', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createTable('mail_daily_sends')
      .addColumn('hour_start', 'bigint', (col) => col.notNull())
      // Several rows per hour, picked at random per send: no single row every request waits on.
      .addColumn('shard', 'integer', (col) => col.notNull())
      .addColumn('count', 'integer', (col) => col.notNull())
      .addPrimaryKeyConstraint('mail_daily_sends_pk', ['hour_start', 'shard'])
      .execute();
    await db.schema.alterTable('outbox_messages').addColumn('transport', 'varchar(300)').execute();
    await db.schema.alterTable('outbox_messages').addColumn('pacing_slot_at', 'bigint').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('outbox_messages').dropColumn('pacing_slot_at').execute();
    await db.schema.alterTable('outbox_messages').dropColumn('transport').execute();
    await db.schema.dropTable('mail_daily_sends').execute();
    await db.schema.dropTable('outbox_domain_pacing').execute();
  },
};
