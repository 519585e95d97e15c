import { type Kysely, sql } from 'kysely';
import { deleteInKeyRanges } from './batched-delete.js';
import type { Database } from './schema.js';

// The owner of address_failures: a mailbox's consecutive wrong attempts. Unlike a rate window it does
// not refill every hour: only a success (resetAddressFailures) or the end of its long window starts it over.

export interface CountAddressFailureInput {
  mailbox: string;
  limit: number;
  windowMs: number;
  nowMs: number;
}

export type CountAddressFailureResult = { ok: true; failures: number } | { ok: false; retryAfterMs: number };

/**
 * Counts one attempt against the mailbox, only while it is under the limit: one upsert, so racing
 * verifies in any number of processes can never push it past. Counted before the comparison; a success
 * then deletes the row (resetAddressFailures) in the same transaction as it uses the code.
 */
export async function countAddressFailure(
  db: Kysely<Database>,
  input: CountAddressFailureInput,
): Promise<CountAddressFailureResult> {
  const { mailbox, limit, windowMs, nowMs } = input;
  const windowOverBefore = nowMs - windowMs;
  const { rows } = await sql<{ failures: number | string }>`
    insert into address_failures (mailbox, failures, first_failure_at) values (${mailbox}, 1, ${nowMs})
    on conflict (mailbox) do update set
      failures = case when address_failures.first_failure_at <= ${windowOverBefore} then 1 else address_failures.failures + 1 end,
      first_failure_at = case when address_failures.first_failure_at <= ${windowOverBefore} then ${nowMs}
        else address_failures.first_failure_at end
    where address_failures.first_failure_at <= ${windowOverBefore} or address_failures.failures < ${limit}
    returning failures`.execute(db);
  const row = rows[0];
  if (row !== undefined) return { ok: true, failures: Number(row.failures) };
  const current = await sql<{ first_failure_at: number | string }>`
    select first_failure_at from address_failures where mailbox = ${mailbox}`.execute(db);
  const firstFailureAt = Number(current.rows[0]?.first_failure_at ?? nowMs);
  return { ok: false, retryAfterMs: Math.max(1000, firstFailureAt + windowMs - nowMs) };
}

/** A success: the mailbox's count starts over. */
export async function resetAddressFailures(db: Kysely<Database>, mailbox: string): Promise<void> {
  await sql`delete from address_failures where mailbox = ${mailbox}`.execute(db);
}

/** Sweeps counts whose window ended before `cutoffMs` (they would start over at the next failure anyway). */
export function deleteEndedAddressFailures(db: Kysely<Database>, cutoffMs: number): Promise<number> {
  return deleteInKeyRanges(db, {
    table: 'address_failures',
    key: 'mailbox',
    where: (eb) => eb('first_failure_at', '<=', cutoffMs),
  });
}
