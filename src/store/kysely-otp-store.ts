import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type {
  ConsumeCodeInput,
  IssueCodeInput,
  IssueCodeResult,
  OtpStore,
  ReserveAttemptInput,
  ReserveAttemptResult,
  StoredCode,
} from '../core/otp-store.js';
import type { DeliveryStatus } from '../core/code-delivery.js';
import { consumeRateWindow, rateWindowKeys, refundRateWindow } from './rate-window.repository.js';
import type { Database } from './schema.js';
import { transactionWithRefusal } from './transaction-with-refusal.js';

/** The one store implementation; the Kysely dialect decides whether it runs on SQLite or PostgreSQL. */
export class KyselyOtpStore implements OtpStore {
  constructor(private readonly db: Kysely<Database>) {}

  issueCode(input: IssueCodeInput): Promise<IssueCodeResult> {
    return transactionWithRefusal<IssueCodeResult>(this.db, async (trx, refuse) => {
      const { address, purpose, nowMs } = input;
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
            .where('otp_challenges.last_sent_at', '<=', nowMs - input.resendCooldownMs),
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
      await trx
        .updateTable('otp_challenges')
        .set({ attempts: 0, generation: sql`generation + 1`, updated_at: input.nowMs })
        .where('id', '=', input.challengeId)
        .where('generation', '=', input.generation)
        .execute();
      // A success is not a failure: the address's window only counts wrong attempts.
      await refundRateWindow(trx, {
        key: rateWindowKeys.addressAttempts(input.address),
        windowMs: input.addressFailureWindowMs,
        nowMs: input.nowMs,
      });
      return true;
    });
  }

  async sweep(nowMs: number, retentionMs: number): Promise<number> {
    const codes = await this.db
      .deleteFrom('otp_codes')
      .where((eb) => eb.or([eb('status', '!=', 'live'), eb('expires_at', '<=', nowMs - retentionMs)]))
      .executeTakeFirst();
    const challenges = await this.db
      .deleteFrom('otp_challenges')
      .where('updated_at', '<=', nowMs - retentionMs)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('otp_codes').select('otp_codes.id').whereRef('otp_codes.challenge_id', '=', 'otp_challenges.id'))))
      .executeTakeFirst();
    const windows = await this.db.deleteFrom('rate_windows').where('window_start', '<=', nowMs - retentionMs).executeTakeFirst();
    const messages = await this.db
      .deleteFrom('outbox_messages')
      .where('status', 'in', ['sent', 'failed', 'expired'])
      .where('updated_at', '<=', nowMs - retentionMs)
      .executeTakeFirst();
    return Number(codes.numDeletedRows + challenges.numDeletedRows + windows.numDeletedRows + messages.numDeletedRows);
  }
}
