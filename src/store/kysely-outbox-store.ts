import { type Kysely, sql } from 'kysely';
import type { ClaimedMessage, OutboxCounts, OutboxStore } from '../mail/outbox-store.js';
import { rateWindowKeys, refundRateWindow } from './rate-window.repository.js';
import type { Database } from './schema.js';

const maxErrorLength = 500;

/** The outbox on the same database as the codes, so a code and its email commit together. */
export class KyselyOutboxStore implements OutboxStore {
  constructor(private readonly db: Kysely<Database>) {}

  async claimDue(input: { nowMs: number; limit: number; leaseMs: number }): Promise<ClaimedMessage[]> {
    const { nowMs } = input;
    // One UPDATE … WHERE id IN (SELECT …) claims atomically: two workers never hold the same lease.
    // (On PostgreSQL the inner SELECT takes FOR UPDATE SKIP LOCKED, so workers do not queue on each other.)
    const due = this.db
      .selectFrom('outbox_messages')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', nowMs)]),
          eb.and([eb('status', '=', 'sending'), eb('lease_until', '<=', nowMs)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .limit(input.limit);
    const rows = await this.db
      .updateTable('outbox_messages')
      .set({ status: 'sending', lease_until: nowMs + input.leaseMs, attempts: sql`attempts + 1`, updated_at: nowMs })
      .where('id', 'in', due)
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
      .execute();
  }

  async scheduleRetry(id: string, input: { nowMs: number; nextAttemptAtMs: number; error: string }): Promise<void> {
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
      .execute();
  }

  async finish(
    id: string,
    input: { nowMs: number; status: 'failed' | 'expired'; error: string; sendWindowMs: number },
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const message = await trx
        .updateTable('outbox_messages')
        .set({ status: input.status, sealed_body: null, lease_until: null, updated_at: input.nowMs, last_error: input.error.slice(0, maxErrorLength) })
        .where('id', '=', id)
        .where('status', 'in', ['queued', 'sending'])
        .returning('recipient')
        .executeTakeFirst();
      if (message === undefined || input.status !== 'failed') return;
      const code = await trx
        .updateTable('otp_codes')
        .set({ status: 'withdrawn' })
        .where('id', '=', id)
        .where('status', '=', 'live')
        .returning('challenge_id')
        .executeTakeFirst();
      if (code === undefined) return;
      await trx.updateTable('otp_challenges').set({ last_sent_at: 0 }).where('id', '=', code.challenge_id).execute();
      await refundRateWindow(trx, { key: rateWindowKeys.sends(message.recipient), windowMs: input.sendWindowMs, nowMs: input.nowMs });
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
