import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { DeliveryStatus } from '../core/code-delivery.js';
import type {
  ConsumeCodeInput,
  IssueCodeInput,
  IssueCodeResult,
  LinkedCode,
  OtpStore,
  ReserveAttemptInput,
  ReserveAttemptResult,
  StoredCode,
} from '../core/otp-store.js';
import { deleteInKeyRanges } from './batched-delete.js';
import { consumeRateWindow, rateWindowKeys, refundRateWindow } from './rate-window.repository.js';
import type { Database } from './schema.js';
import { transactionWithRefusal } from './transaction-with-refusal.js';

/**
 * The one store implementation; the Kysely dialect decides whether it runs on SQLite or PostgreSQL.
 *
 * Concurrency, PostgreSQL READ COMMITTED: each limit is one conditional statement (an upsert whose
 * `DO UPDATE … WHERE`, or an `UPDATE … WHERE`, is re-checked against the newest row version after
 * waiting for its lock), so racing requests from any number of processes cannot overshoot it.
 * The hot paths take row locks in one order — address window, challenge, codes — so racing requests
 * never wait on each other in a circle; a rare deadlock elsewhere (a failed delivery withdrawing a code
 * while a resend supersedes it) is retried by transactionWithRefusal.
 */
export class KyselyOtpStore implements OtpStore {
  constructor(private readonly db: Kysely<Database>) {}

  issueCode(input: IssueCodeInput): Promise<IssueCodeResult> {
    return transactionWithRefusal<IssueCodeResult>(this.db, async (trx, refuse) => {
      const { address, purpose, nowMs } = input;
      // Lock the challenge row before the upsert. On PostgreSQL the upsert's subquery below reads from the
      // snapshot its statement started with; taking the lock first, in a statement of its own, makes that
      // snapshot include whatever a racing request for the same address committed before us.
      await trx
        .updateTable('otp_challenges')
        .set({ updated_at: sql`updated_at` })
        .where('address', '=', address)
        .where('purpose', '=', purpose)
        .execute();
      // A fresh generation starts when the old one is locked or has no usable code left; otherwise the
      // new code joins the live one and shares its attempt budget (a resend must not refill it).
      const startsFresh = sql<boolean>`(otp_challenges.attempts >= ${input.maxAttemptsPerCode} or not exists (
        select 1 from otp_codes where otp_codes.challenge_id = otp_challenges.id
          and otp_codes.generation = otp_challenges.generation
          and otp_codes.status = 'live' and otp_codes.expires_at > ${nowMs}))`;
      const challenge = await trx
        .insertInto('otp_challenges')
        .values({ id: randomUUID(), address, purpose, generation: 1, attempts: 0, last_sent_at: nowMs, updated_at: nowMs })
        .onConflict((conflict) =>
          conflict
            .columns(['address', 'purpose'])
            .doUpdateSet({
              generation: sql`case when ${startsFresh} then otp_challenges.generation + 1 else otp_challenges.generation end`,
              attempts: sql`case when ${startsFresh} then 0 else otp_challenges.attempts end`,
              last_sent_at: nowMs,
              updated_at: nowMs,
            })
            // The cooldown is this condition: the upsert changes nothing while the last send is too recent.
            // With no cooldown configured nothing may be refused as "too soon" — not even a racing request whose
            // clock read came a millisecond before another process stamped the row.
            .where(
              'otp_challenges.last_sent_at',
              '<=',
              input.resendCooldownMs === 0 ? Number.MAX_SAFE_INTEGER : nowMs - input.resendCooldownMs,
            ),
        )
        .returning(['id', 'generation'])
        .executeTakeFirst();
      if (challenge === undefined) {
        const last = await trx
          .selectFrom('otp_challenges')
          .select('last_sent_at')
          .where('address', '=', address)
          .where('purpose', '=', purpose)
          .executeTakeFirstOrThrow();
        refuse({ ok: false, reason: 'cooldown', retryAfterMs: Number(last.last_sent_at) + input.resendCooldownMs - nowMs });
      }
      const { id: challengeId, generation } = challenge!;

      const sends = await consumeRateWindow(trx, {
        key: rateWindowKeys.sends(address),
        limit: input.sendLimit,
        windowMs: input.sendWindowMs,
        nowMs,
      });
      if (!sends.ok) refuse({ ok: false, reason: 'send_limit', retryAfterMs: sends.retryAfterMs });

      const keptLiveCodes = trx
        .selectFrom('otp_codes')
        .select('id')
        .where('challenge_id', '=', challengeId)
        .where('generation', '=', generation)
        .where('status', '=', 'live')
        .where('expires_at', '>', nowMs)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(input.maxLiveCodes - 1);
      await trx
        .updateTable('otp_codes')
        .set({ status: 'superseded' })
        .where('challenge_id', '=', challengeId)
        .where('status', '=', 'live')
        .where('id', 'not in', keptLiveCodes)
        .execute();
      await trx
        .insertInto('otp_codes')
        .values({
          id: input.codeId,
          challenge_id: challengeId,
          generation,
          key_id: input.keyId,
          code_hash: input.codeHash,
          status: 'live',
          created_at: nowMs,
          expires_at: input.expiresAtMs,
          requested_ip: input.clientIp,
          link_hash: input.linkTokenHash ?? null,
        })
        .execute();
      await trx
        .insertInto('outbox_messages')
        .values({
          id: input.codeId,
          recipient: input.recipient,
          sealed_body: input.sealedEmail,
          status: 'queued',
          attempts: 0,
          next_attempt_at: nowMs,
          lease_until: null,
          created_at: nowMs,
          expires_at: input.expiresAtMs,
          sent_at: null,
          updated_at: nowMs,
          last_error: null,
        })
        .execute();
      return { ok: true };
    });
  }

  async deliveryStatus(codeId: string): Promise<DeliveryStatus | null> {
    const row = await this.db.selectFrom('outbox_messages').select('status').where('id', '=', codeId).executeTakeFirst();
    return row?.status ?? null;
  }

  reserveAttempt(input: ReserveAttemptInput): Promise<ReserveAttemptResult> {
    return transactionWithRefusal<ReserveAttemptResult>(this.db, async (trx, refuse) => {
      const { address, purpose, nowMs } = input;
      const addressAttempts = await consumeRateWindow(trx, {
        key: rateWindowKeys.addressAttempts(address),
        limit: input.addressFailureLimit,
        windowMs: input.addressFailureWindowMs,
        nowMs,
      });
      if (!addressAttempts.ok) refuse({ ok: false, reason: 'paused', retryAfterMs: addressAttempts.retryAfterMs });

      // An address that never asked for a code gets a challenge row too, so that it answers, attempt
      // after attempt, exactly like one that did.
      const challenge = await trx
        .insertInto('otp_challenges')
        .values({ id: randomUUID(), address, purpose, generation: 1, attempts: 1, last_sent_at: 0, updated_at: nowMs })
        .onConflict((conflict) =>
          conflict
            .columns(['address', 'purpose'])
            .doUpdateSet({ attempts: sql`otp_challenges.attempts + 1`, updated_at: nowMs })
            .where('otp_challenges.attempts', '<', input.maxAttemptsPerCode),
        )
        .returning(['id', 'generation', 'attempts'])
        .executeTakeFirst();
      if (challenge === undefined) refuse({ ok: false, reason: 'locked' });
      return {
        ok: true,
        challengeId: challenge!.id,
        generation: Number(challenge!.generation),
        attemptsUsed: Number(challenge!.attempts),
        addressAttemptsUsed: addressAttempts.ok ? addressAttempts.count : input.addressFailureLimit,
        addressWindowResetInMs: addressAttempts.ok ? addressAttempts.resetInMs : input.addressFailureWindowMs,
      };
    });
  }

  async findLiveCodes(challengeId: string, generation: number): Promise<StoredCode[]> {
    const rows = await this.db
      .selectFrom('otp_codes')
      .select(['id', 'key_id', 'code_hash', 'expires_at'])
      .where('challenge_id', '=', challengeId)
      .where('generation', '=', generation)
      .where('status', '=', 'live')
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((row) => ({ id: row.id, keyId: row.key_id, codeHash: row.code_hash, expiresAtMs: Number(row.expires_at) }));
  }

  consumeCode(input: ConsumeCodeInput): Promise<boolean> {
    return transactionWithRefusal<boolean>(this.db, async (trx, refuse) => {
      // Lock order as everywhere: address window, challenge, codes. A success is not a failure, so the
      // address's window gives back this attempt; if the code turns out not to be ours, refuse() undoes it.
      await refundRateWindow(trx, {
        key: rateWindowKeys.addressAttempts(input.address),
        windowMs: input.addressFailureWindowMs,
        nowMs: input.nowMs,
      });
      await trx
        .updateTable('otp_challenges')
        .set({ attempts: 0, generation: sql`generation + 1`, updated_at: input.nowMs })
        .where('id', '=', input.challengeId)
        .where('generation', '=', input.generation)
        .execute();
      // The conditional update is the single-use guarantee: of any number of racing verifies, one changes the row.
      const won = await trx
        .updateTable('otp_codes')
        .set({ status: 'used' })
        .where('id', '=', input.codeId)
        .where('status', '=', 'live')
        .where('expires_at', '>', input.nowMs)
        .executeTakeFirst();
      if (won.numUpdatedRows !== 1n) refuse(false);
      await trx
        .updateTable('otp_codes')
        .set({ status: 'superseded' })
        .where('challenge_id', '=', input.challengeId)
        .where('status', '=', 'live')
        .execute();
      return true;
    });
  }

  async findCodeByLinkHash(linkHash: string): Promise<LinkedCode | null> {
    const row = await this.db
      .selectFrom('otp_codes')
      .innerJoin('otp_challenges', 'otp_challenges.id', 'otp_codes.challenge_id')
      .select([
        'otp_codes.id',
        'otp_codes.challenge_id',
        'otp_codes.generation',
        'otp_codes.status',
        'otp_codes.expires_at',
        'otp_challenges.address',
        'otp_challenges.purpose',
      ])
      .where('otp_codes.link_hash', '=', linkHash)
      .executeTakeFirst();
    if (row === undefined) return null;
    return {
      codeId: row.id,
      challengeId: row.challenge_id,
      generation: Number(row.generation),
      status: row.status,
      expiresAtMs: Number(row.expires_at),
      address: row.address,
      purpose: row.purpose,
    };
  }

  /** Deletes in short batches over key ranges (see deleteInKeyRanges), so a large backlog never stalls requests. */
  async sweep(nowMs: number, retentionMs: number): Promise<number> {
    const cutoff = nowMs - retentionMs;
    const codes = await deleteInKeyRanges(this.db, {
      table: 'otp_codes',
      key: 'id',
      where: (eb) => eb.or([eb('status', '!=', 'live'), eb('expires_at', '<=', cutoff)]),
    });
    const challenges = await deleteInKeyRanges(this.db, {
      table: 'otp_challenges',
      key: 'id',
      where: (eb) =>
        eb.and([
          eb('updated_at', '<=', cutoff),
          eb.not(
            eb.exists(
              eb.selectFrom('otp_codes').select('otp_codes.id').whereRef('otp_codes.challenge_id', '=', 'otp_challenges.id'),
            ),
          ),
        ]),
    });
    const windows = await deleteInKeyRanges(this.db, {
      table: 'rate_windows',
      key: 'key',
      where: (eb) => eb('window_start', '<=', cutoff),
    });
    const messages = await deleteInKeyRanges(this.db, {
      table: 'outbox_messages',
      key: 'id',
      where: (eb) => eb.and([eb('status', 'in', ['sent', 'failed', 'expired']), eb('updated_at', '<=', cutoff)]),
    });
    return codes + challenges + windows + messages;
  }
}
