import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import { type DeliveryStatus, deliveryStatuses } from '../core/code-delivery.js';
import type { ClaimedMessage, OutboxCounts } from '../mail/outbox-store.js';
import { deleteInKeyRanges } from './batched-delete.js';
import { lockedForClaim } from './dialect.js';
import type { Database } from './schema.js';

// The owner of outbox_messages: a code's email, sealed, from queued to sent, failed or expired.

const maxErrorLength = 500;
const maxTransportNameLength = 300;

export interface QueuedEmail {
  /** The code's id: a message and its code share it. */
  codeId: string;
  recipient: string;
  sealedEmail: string;
  /** The flow that asked: only it is told where the email is. */
  flowKey: string;
  nowMs: number;
  expiresAtMs: number;
}

/** Queues a code's email; written as SQL because it runs on every request (see codes.repository.ts). */
export async function queueEmail(trx: Kysely<Database>, email: QueuedEmail): Promise<void> {
  await sql`
    insert into outbox_messages (id, recipient, sealed_body, status, attempts, next_attempt_at, lease_until,
      created_at, expires_at, sent_at, updated_at, last_error, flow_hash)
    values (${email.codeId}, ${email.recipient}, ${email.sealedEmail}, 'queued', 0, ${email.nowMs}, null,
      ${email.nowMs}, ${email.expiresAtMs}, null, ${email.nowMs}, null, ${email.flowKey})`.execute(trx);
}

/** The status of a code's email, only for the flow that asked for it: to any other it is an unknown id. */
export async function deliveryStatusOf(db: Kysely<Database>, codeId: string, flowKey: string): Promise<DeliveryStatus | null> {
  const row = await db
    .selectFrom('outbox_messages')
    .select('status')
    .where('id', '=', codeId)
    .where('flow_hash', '=', flowKey)
    .executeTakeFirst();
  return row?.status ?? null;
}

/** Leases up to `limit` messages that match `claimable`, oldest due first. */
export async function claimMessages(
  db: Kysely<Database>,
  input: { nowMs: number; leaseMs: number; limit: number },
  claimable: (eb: ExpressionBuilder<Database, 'outbox_messages'>) => Expression<SqlBool>,
): Promise<ClaimedMessage[]> {
  const { nowMs } = input;
  // One statement claims atomically: two workers never hold the same lease. The rows are picked once,
  // in a MATERIALIZED CTE: as a plain `id IN (SELECT … LIMIT n)` PostgreSQL may run the subquery again
  // for every row it updates, and a claim of `limit` rows then takes the whole queue. On PostgreSQL the
  // pick is FOR UPDATE SKIP LOCKED (see lockedForClaim), so workers neither queue on each other nor
  // take a row another worker has just claimed.
  const rows = await db
    .with(
      (cte) => cte('due').materialized(),
      (qb) =>
        lockedForClaim(
          db,
          qb.selectFrom('outbox_messages').select('id').where(claimable).orderBy('next_attempt_at').limit(input.limit),
        ),
    )
    .updateTable('outbox_messages')
    .set({ status: 'sending', lease_until: nowMs + input.leaseMs, attempts: sql`attempts + 1`, updated_at: nowMs })
    // By id only. The picked rows need no second look: SQLite has one writer at a time, and on PostgreSQL
    // FOR UPDATE re-checks the condition on the newest version of each row it locks, and holds the lock.
    // (A second copy of the condition here made SQLite walk every due row instead of the five ids.)
    .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
    .returning(['id', 'recipient', 'sealed_body', 'attempts', 'created_at', 'expires_at', 'pacing_slot_at'])
    .execute();
  return rows.map((row) => ({
    id: row.id,
    recipient: row.recipient,
    sealedBody: row.sealed_body,
    attempts: Number(row.attempts),
    createdAtMs: Number(row.created_at),
    expiresAtMs: Number(row.expires_at),
    pacingSlotAtMs: row.pacing_slot_at === null || row.pacing_slot_at === undefined ? null : Number(row.pacing_slot_at),
  }));
}

export async function markMessageSent(db: Kysely<Database>, id: string, nowMs: number, transport?: string): Promise<void> {
  await db
    .updateTable('outbox_messages')
    .set({
      status: 'sent',
      sealed_body: null,
      lease_until: null,
      sent_at: nowMs,
      updated_at: nowMs,
      last_error: null,
      transport: transport?.slice(0, maxTransportNameLength) ?? null,
    })
    .where('id', '=', id)
    // Whoever's claim it was, the mail server took the message: it is sent — even if a worker that took
    // the claim over meanwhile found the code expired and gave the row up as `expired` (the mail did go
    // out; the row should say so). Not over `failed`: that code was withdrawn, and stays withdrawn.
    .where('status', 'in', ['queued', 'sending', 'expired'])
    .execute();
}

export async function scheduleMessageRetry(
  db: Kysely<Database>,
  id: string,
  input: { nowMs: number; claimedAttempts: number; nextAttemptAtMs: number; error: string },
): Promise<void> {
  await db
    .updateTable('outbox_messages')
    .set({
      status: 'queued',
      lease_until: null,
      next_attempt_at: input.nextAttemptAtMs,
      updated_at: input.nowMs,
      last_error: input.error.slice(0, maxErrorLength),
      // The slot was spent on this failed try: the retry waits for a new one (domain-pacing.ts).
      pacing_slot_at: null,
    })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    // The attempt count is the claim's fencing token: a worker whose claim was taken over writes nothing.
    .where('attempts', '=', input.claimedAttempts)
    .execute();
}

export async function extendMessageLease(
  db: Kysely<Database>,
  id: string,
  input: { claimedAttempts: number; leaseUntilMs: number },
): Promise<boolean> {
  const result = await db
    .updateTable('outbox_messages')
    .set({ lease_until: input.leaseUntilMs })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('attempts', '=', input.claimedAttempts)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * Ends a message that will not be sent, `failed` or `expired`, its body wiped: the recipient, or null
 * when the claim (`claimedAttempts`) no longer holds it and nothing changed.
 */
export async function giveUpMessage(
  trx: Kysely<Database>,
  id: string,
  input: { nowMs: number; claimedAttempts: number; status: 'failed' | 'expired'; error: string },
): Promise<{ recipient: string } | null> {
  const message = await trx
    .updateTable('outbox_messages')
    .set({
      status: input.status,
      sealed_body: null,
      lease_until: null,
      updated_at: input.nowMs,
      last_error: input.error.slice(0, maxErrorLength),
    })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'sending'])
    .where('attempts', '=', input.claimedAttempts)
    .returning('recipient')
    .executeTakeFirst();
  return message ?? null;
}

export async function countMessagesByStatus(db: Kysely<Database>, nowMs: number): Promise<OutboxCounts> {
  const rows = await db
    .selectFrom('outbox_messages')
    .select(['status', (eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.min('created_at').as('oldest')])
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(deliveryStatuses.map((status) => [status, 0])) as Record<DeliveryStatus, number>;
  let oldestPending: number | null = null;
  for (const row of rows) {
    counts[row.status] = Number(row.count);
    if ((row.status === 'queued' || row.status === 'sending') && row.oldest !== null) {
      oldestPending = Math.min(oldestPending ?? Number.POSITIVE_INFINITY, Number(row.oldest));
    }
  }
  return { ...counts, oldestPendingAgeMs: oldestPending === null ? null : nowMs - oldestPending };
}

/** Sweeps messages finished (sent, failed, expired) before `cutoffMs`; never one still to deliver. */
export function deleteFinishedMessages(db: Kysely<Database>, cutoffMs: number): Promise<number> {
  return deleteInKeyRanges(db, {
    table: 'outbox_messages',
    key: 'id',
    where: (eb) => eb.and([eb('status', 'in', ['sent', 'failed', 'expired']), eb('updated_at', '<=', cutoffMs)]),
  });
}
