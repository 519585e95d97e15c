import { type Kysely, sql } from 'kysely';
import type { SuppressionCause } from '../core/delivery-events.js';
import type { Suppression, SuppressionList } from '../core/suppression-list.js';
import { deleteInKeyRanges } from './batched-delete.js';
import type { Database, SuppressionRow } from './schema.js';

// The owner of `suppressions` (migration 0007): addresses that get no mail, by delivery key (deliveryKeyOf: the exact address, or the Gmail inbox).

export interface NewSuppression {
  mailbox: string;
  address: string;
  cause: SuppressionCause;
  diagnostic: string | null;
  nowMs: number;
  /** Null: until removed. */
  expiresAtMs: number | null;
}

/**
 * The entry in force for a mailbox: one primary-key read (the request path and each send run it), written
 * as SQL like the request's other statements (building it through Kysely cost more CPU than running it).
 * An expired entry the sweeper has not reached yet is no entry.
 */
export async function findSuppression(db: Kysely<Database>, mailbox: string, nowMs: number): Promise<Suppression | null> {
  const { rows } = await sql<SuppressionRow>`
    select mailbox, address, cause, diagnostic, created_at, expires_at from suppressions
    where mailbox = ${mailbox} and (expires_at is null or expires_at > ${nowMs})`.execute(db);
  return rows[0] === undefined ? null : suppressionOf(rows[0]);
}

/**
 * Suppresses a mailbox, or lengthens its suppression; never shortens one. One upsert decides, so racing
 * reports cannot lose an entry: a new row goes in; an existing one is replaced only when it would lapse
 * sooner (a bounce refreshes a bounce, a complaint or a manual entry outranks a bounce). True when the
 * list changed: an address already suppressed until removed stays as it was.
 */
export async function suppressMailbox(db: Kysely<Database>, entry: NewSuppression): Promise<boolean> {
  const result = await sql`
    insert into suppressions (mailbox, address, cause, diagnostic, created_at, expires_at)
    values (${entry.mailbox}, ${entry.address}, ${entry.cause}, ${entry.diagnostic}, ${entry.nowMs}, ${entry.expiresAtMs})
    on conflict (mailbox) do update set address = excluded.address, cause = excluded.cause,
      diagnostic = excluded.diagnostic, created_at = excluded.created_at, expires_at = excluded.expires_at
    where suppressions.expires_at is not null
      and (excluded.expires_at is null or suppressions.expires_at < excluded.expires_at)`.execute(db);
  return Number(result.numAffectedRows ?? 0n) === 1;
}

/** Takes a mailbox off the list (the operator's `remove`): the removed entry, or null if there was none. */
export async function removeSuppression(db: Kysely<Database>, mailbox: string): Promise<Suppression | null> {
  const row = await db.deleteFrom('suppressions').where('mailbox', '=', mailbox).returningAll().executeTakeFirst();
  return row === undefined ? null : suppressionOf(row);
}

/** The entries in force, newest first, at most `limit`; and how many there are in all. */
export async function listSuppressions(
  db: Kysely<Database>,
  input: { nowMs: number; limit: number },
): Promise<{ entries: Suppression[]; total: number }> {
  const inForce = db
    .selectFrom('suppressions')
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', input.nowMs)]));
  const rows = await inForce.selectAll().orderBy('created_at', 'desc').orderBy('mailbox').limit(input.limit).execute();
  const { total } = await inForce.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  return { entries: rows.map(suppressionOf), total: Number(total) };
}

/** The sweeper's statement: bounces whose time is up. Entries kept until removed are never touched. */
export function deleteExpiredSuppressions(db: Kysely<Database>, nowMs: number): Promise<number> {
  return deleteInKeyRanges(db, { table: 'suppressions', key: 'mailbox', where: (eb) => eb('expires_at', '<=', nowMs) });
}

function suppressionOf(row: SuppressionRow): Suppression {
  return {
    mailbox: row.mailbox,
    address: row.address,
    cause: row.cause,
    diagnostic: row.diagnostic,
    createdAtMs: Number(row.created_at),
    expiresAtMs: row.expires_at === null ? null : Number(row.expires_at),
  };
}

/** The suppression list on the shared database: what a request and the outbox worker read. */
export class KyselySuppressionList implements SuppressionList {
  constructor(private readonly db: Kysely<Database>) {}

  findSuppression(mailbox: string, nowMs: number): Promise<Suppression | null> {
    return findSuppression(this.db, mailbox, nowMs);
  }
}
