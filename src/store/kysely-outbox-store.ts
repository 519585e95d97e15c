import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { ClaimedMessage, OutboxCounts, OutboxStore } from '../mail/outbox-store.js';
import { lockedForClaim } from './dialect.js';
import { rateWindowKeys, refundRateWindow } from './rate-window.repository.js';
import type { Database } from './schema.js';
import { transactionWithRefusal } from './transaction-with-refusal.js';

const maxErrorLength = 500;

/** The outbox on the same database as the codes, so a code and its email commit together. */
export class KyselyOutboxStore implements OutboxStore {
  constructor(private readonly db: Kysely<Database>) {}

  async claimDue(input: { nowMs: number; limit: number; leaseMs: number; takeOverExpired?: boolean }): Promise<ClaimedMessage[]> {
    // Sends whose worker died first (their lease ran out; there are few), then queued mail that is due.
    // Two statements, each an atomic claim, because one with `(queued and due) or (sending and lease
    // over)` cannot walk the (status, next_attempt_at) index in order: SQLite read and sorted every due
    // row to pick five, so draining a backlog of 13,000 cost ≈0.5 ms of CPU per email.
    const takenOver =
      input.takeOverExpired === false
        ? []
        : await this.claimWhere(input, input.limit, (eb) =>
            eb.and([eb('status', '=', 'sending'), eb('lease_until', '<=', input.nowMs)]),
          );
    if (takenOver.length === input.limit) return takenOver;
    const due = await this.claimWhere(input, input.limit - takenOver.length, (eb) =>
      eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', input.nowMs)]),
    );
    return [...takenOver, ...due];
  }

  private async claimWhere(
    input: { nowMs: number; leaseMs: number },
    limit: number,
    claimable: (eb: ExpressionBuilder<Database, 'outbox_messages'>) => Expression<SqlBool>,
  ): Promise<ClaimedMessage[]> {
    const { nowMs } = input;
    // One statement claims atomically: two workers never hold the same lease. The rows are picked once,
    // in a MATERIALIZED CTE: as a plain `id IN (SELECT … LIMIT n)` PostgreSQL may run the subquery again
    // for every row it updates, and a claim of `limit` rows then takes the whole queue. On PostgreSQL the
    // pick is FOR UPDATE SKIP LOCKED (see lockedForClaim), so workers neither queue on each other nor
    // take a row another worker has just claimed.
    const rows = await this.db
      .with(
        (cte) => cte('due').materialized(),
        (db) =>
          lockedForClaim(
            this.db,
            db.selectFrom('outbox_messages').select('id').where(claimable).orderBy('next_attempt_at').limit(limit),
          ),
      )
      .updateTable('outbox_messages')
      .set({ status: 'sending', lease_until: nowMs + input.leaseMs, attempts: sql`attempts + 1`, updated_at: nowMs })
      // By id only. The picked rows need no second look: SQLite has one writer at a time, and on PostgreSQL
      // FOR UPDATE re-checks the condition on the newest version of each row it locks, and holds the lock.
      // (A second copy of the condition here made SQLite walk every due row instead of the five ids.)
      .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
      .returning(['id', 'recipient', 'sealed_body', 'attempts', 'created_at', 'expires_at'])
      .execute();
    return rows.map((row) => ({
      id: row.id,
      recipient: row.recipient,
      sealedBody: row.sealed_body,
      attempts: Number(row.attempts),
      createdAtMs: Number(row.created_at),
      expiresAtMs: Number(row.expires_at),
    }));
  }

  async markSent(id: string, nowMs: number): Promise<void> {
    await this.db
      .updateTable('outbox_messages')
      .set({ status: 'sent', sealed_body: null, lease_until: null, sent_at: nowMs, updated_at: nowMs, last_error: null })
      .where('id', '=', id)
      // Whoever's claim it was, the mail server took the message: it is sent — even if a worker that took
      // the claim over meanwhile found the code expired and finished the row `expired` (the mail did go
      // out; the row should say so). Not over `failed`: that code was withdrawn, and stays withdrawn.
      .where('status', 'in', ['queued', 'sending', 'expired'])
      .execute();
  }

  async scheduleRetry(
    id: string,
    input: { nowMs: number; claimedAttempts: number; nextAttemptAtMs: number; error: string },
  ): Promise<void> {
    await this.db
      .updateTable('outbox_messages')
      .set({
        status: 'queued',
        lease_until: null,
        next_attempt_at: input.nextAttemptAtMs,
        updated_at: input.nowMs,
        last_error: input.error.slice(0, maxErrorLength),
      })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      // The attempt count is the claim's fencing token: a worker whose claim was taken over writes nothing.
      .where('attempts', '=', input.claimedAttempts)
      .execute();
  }

  async extendLease(id: string, input: { claimedAttempts: number; leaseUntilMs: number }): Promise<boolean> {
    const result = await this.db
      .updateTable('outbox_messages')
      .set({ lease_until: input.leaseUntilMs })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .where('attempts', '=', input.claimedAttempts)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async finish(
    id: string,
    input: { nowMs: number; claimedAttempts: number; status: 'failed' | 'expired'; error: string; sendWindowMs: number },
  ): Promise<void> {
    // transactionWithRefusal only for its retry: this one takes a code before its challenge, the reverse of
    // a resend, so PostgreSQL may pick it as a deadlock victim; run again, it finds the same rows.
    await transactionWithRefusal<void>(this.db, async (trx) => {
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
      if (message === undefined) return;
      // Nobody received this email: its send is given back (failed or expired alike).
      await refundRateWindow(trx, {
        key: rateWindowKeys.sends(message.recipient),
        windowMs: input.sendWindowMs,
        nowMs: input.nowMs,
      });
      if (input.status !== 'failed') return;
      const code = await trx
        .updateTable('otp_codes')
        .set({ status: 'withdrawn' })
        .where('id', '=', id)
        .where('status', '=', 'live')
        .returning(['challenge_id', 'generation'])
        .executeTakeFirst();
      if (code === undefined) return;
      await trx.updateTable('otp_challenges').set({ last_sent_at: 0 }).where('id', '=', code.challenge_id).execute();
      // Queuing this email superseded the oldest live code; since it never arrived, that code comes back.
      // Within a generation only a resend supersedes, so the newest superseded, unexpired code is the one.
      const supersededByThisSend = trx
        .selectFrom('otp_codes')
        .select('id')
        .where('challenge_id', '=', code.challenge_id)
        .where('generation', '=', code.generation)
        .where('status', '=', 'superseded')
        .where('expires_at', '>', input.nowMs)
        .orderBy('created_at', 'desc')
        .limit(1);
      await trx.updateTable('otp_codes').set({ status: 'live' }).where('id', 'in', supersededByThisSend).execute();
    });
  }

  async counts(nowMs: number): Promise<OutboxCounts> {
    const rows = await this.db
      .selectFrom('outbox_messages')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.min('created_at').as('oldest')])
      .groupBy('status')
      .execute();
    const counts: OutboxCounts = { queued: 0, sending: 0, sent: 0, failed: 0, expired: 0, oldestPendingAgeMs: null };
    let oldestPending: number | null = null;
    for (const row of rows) {
      counts[row.status] = Number(row.count);
      if ((row.status === 'queued' || row.status === 'sending') && row.oldest !== null) {
        oldestPending = Math.min(oldestPending ?? Number.POSITIVE_INFINITY, Number(row.oldest));
      }
    }
    counts.oldestPendingAgeMs = oldestPending === null ? null : nowMs - oldestPending;
    return counts;
  }
}
