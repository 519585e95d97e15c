import { type Kysely, type Migration, sql } from 'kysely';
import { dialectOf } from '../dialect.js';

/**
 * Codes bound to the flow that asked for them (issue 12): a challenge is per (address, purpose, flow),
 * its email remembers the flow (only that flow is told where it is), and a mailbox's consecutive wrong
 * attempts are counted in a table of their own.
 */
export const flowBoundChallengesSchema: Migration = {
  async up(db: Kysely<any>) {
    if (dialectOf(db) === 'postgres') {
      await sql`alter table otp_challenges add column flow_hash varchar(64) not null default ''`.execute(db);
      await sql`alter table otp_challenges drop constraint otp_challenges_address_purpose`.execute(db);
      await sql`alter table otp_challenges add constraint otp_challenges_address_purpose_flow
        unique (address, purpose, flow_hash)`.execute(db);
    } else {
      await rebuildSqliteChallenges(db);
    }
    await sql`alter table outbox_messages add column flow_hash varchar(64) not null default ''`.execute(db);
    await db.schema
      .createTable('address_failures')
      .addColumn('mailbox', 'varchar(300)', (col) => col.primaryKey())
      .addColumn('failures', 'integer', (col) => col.notNull())
      .addColumn('first_failure_at', 'bigint', (col) => col.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('address_failures').execute();
    await sql`alter table outbox_messages drop column flow_hash`.execute(db);
    // Flow-bound challenges cannot fold back into one row per (address, purpose): codes are lost either way.
    await sql`delete from otp_challenges where flow_hash <> ''`.execute(db);
    if (dialectOf(db) === 'postgres') {
      await sql`alter table otp_challenges drop constraint otp_challenges_address_purpose_flow`.execute(db);
      await sql`alter table otp_challenges add constraint otp_challenges_address_purpose unique (address, purpose)`.execute(db);
      await sql`alter table otp_challenges drop column flow_hash`.execute(db);
    }
  },
};

/**
 * SQLite cannot drop a table's unique constraint: both tables are copied into new ones and renamed back.
 * The codes go first, so dropping the old challenges cascades to nothing; renaming the new challenges
 * table rewrites the codes' reference to it.
 */
async function rebuildSqliteChallenges(db: Kysely<any>): Promise<void> {
  await sql`create table otp_challenges_new (
    id varchar(36) primary key, address varchar(254) not null, purpose varchar(64) not null,
    flow_hash varchar(64) not null default '', generation integer not null, attempts integer not null,
    last_sent_at bigint not null, updated_at bigint not null,
    constraint otp_challenges_address_purpose_flow unique (address, purpose, flow_hash))`.execute(db);
  await sql`create table otp_codes_new (
    id varchar(36) primary key,
    challenge_id varchar(36) not null references otp_challenges_new (id) on delete cascade,
    generation integer not null, key_id varchar(32) not null, code_hash varchar(64) not null,
    status varchar(16) not null, created_at bigint not null, expires_at bigint not null,
    requested_ip varchar(64), link_hash varchar(64))`.execute(db);
  await sql`insert into otp_challenges_new (id, address, purpose, flow_hash, generation, attempts, last_sent_at, updated_at)
    select id, address, purpose, '', generation, attempts, last_sent_at, updated_at from otp_challenges`.execute(db);
  await sql`insert into otp_codes_new select id, challenge_id, generation, key_id, code_hash, status, created_at,
    expires_at, requested_ip, link_hash from otp_codes`.execute(db);
  await sql`drop table otp_codes`.execute(db);
  await sql`drop table otp_challenges`.execute(db);
  await sql`alter table otp_challenges_new rename to otp_challenges`.execute(db);
  await sql`alter table otp_codes_new rename to otp_codes`.execute(db);
  await sql`create index otp_codes_challenge_live on otp_codes (challenge_id, status, generation)`.execute(db);
  await sql`create index otp_codes_expires_at on otp_codes (expires_at)`.execute(db);
  await sql`create index otp_codes_link_hash on otp_codes (link_hash)`.execute(db);
}
