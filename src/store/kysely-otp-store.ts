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
 *
 * The statements of a request and a verify are written as SQL through Kysely's `sql` tag (one text for
 * both dialects): building them cost more CPU than running them. tsc no longer checks their column
 * names; every one of them runs in the flow tests (test/web) on SQLite and on PostgreSQL.
 */
export class KyselyOtpStore implements OtpStore {
  constructor(private readonly db: Kysely<Database>) {}

  issueCode(input: IssueCodeInput): Promise<IssueCodeResult> {
    return transactionWithRefusal<IssueCodeResult>(this.db, async (trx, refuse) => {
      const { address, purpose, nowMs } = input;
      // Lock the challenge row before the upsert. On PostgreSQL the upsert's subquery below reads from the
      // snapshot its statement started with; taking the lock first, in a statement of its own, makes that
      // snapshot include whatever a racing request for the same address committed before us.
      await sql`
        update otp_challenges set updated_at = updated_at where address = ${address} and purpose = ${purpose}`.execute(trx);
      // A fresh generation starts when the old one is locked or has no usable code left; otherwise the
      // new code joins the live one and shares its attempt budget (a resend must not refill it).
      const startsFresh = sql`(otp_challenges.attempts >= ${input.maxAttemptsPerCode} or not exists (
        select 1 from otp_codes where otp_codes.challenge_id = otp_challenges.id
          and otp_codes.generation = otp_challenges.generation
          and otp_codes.status = 'live' and otp_codes.expires_at > ${nowMs}))`;
      // The cooldown is the upsert's condition: it changes nothing while the last send is too recent.
      // With no cooldown configured nothing may be refused as "too soon" — not even a racing request whose
      // clock read came a millisecond before another process stamped the row.
      const lastSentBefore = input.resendCooldownMs === 0 ? Number.MAX_SAFE_INTEGER : nowMs - input.resendCooldownMs;
      const { rows } = await sql<{ id: string; generation: number | string }>`
        insert into otp_challenges (id, address, purpose, generation, attempts, last_sent_at, updated_at)
        values (${randomUUID()}, ${address}, ${purpose}, 1, 0, ${nowMs}, ${nowMs})
        on conflict (address, purpose) do update set
          generation = case when ${startsFresh} then otp_challenges.generation + 1 else otp_challenges.generation end,
          attempts = case when ${startsFresh} then 0 else otp_challenges.attempts end,
          last_sent_at = ${nowMs},
          updated_at = ${nowMs}
        where otp_challenges.last_sent_at <= ${lastSentBefore}
        returning id, generation`.execute(trx);
      const challenge = rows[0];
      if (challenge === undefined) {
        const last = await sql<{ last_sent_at: number | string }>`
          select last_sent_at from otp_challenges where address = ${address} and purpose = ${purpose}`.execute(trx);
        return refuse({
          ok: false,
          reason: 'cooldown',
          retryAfterMs: Number(last.rows[0]!.last_sent_at) + input.resendCooldownMs - nowMs,
        });
      }
      const challengeId = challenge.id;
      const generation = Number(challenge.generation);

      const sends = await consumeRateWindow(trx, {
        key: rateWindowKeys.sends(address),
        limit: input.sendLimit,
        windowMs: input.sendWindowMs,
        nowMs,
      });
      if (!sends.ok) refuse({ ok: false, reason: 'send_limit', retryAfterMs: sends.retryAfterMs });

      // At most maxLiveCodes stay live: the newest maxLiveCodes - 1 unexpired ones, and the new one. Read
      // first and picked here: most requests find no live code at all, and a plain indexed read costs a
      // fraction of an `update … not in (select … order by … limit)` (which builds two temporary b-trees
      // even when nothing matches). No code of this challenge can appear or change meanwhile: issuing
      // holds the challenge row (the lock above), and `status = 'live'` below spares one used since.
      const live = await sql<{
        id: string;
        generation: number | string;
        created_at: number | string;
        expires_at: number | string;
      }>`
        select id, generation, created_at, expires_at from otp_codes
        where challenge_id = ${challengeId} and status = 'live'`.execute(trx);
      const stale = codesToSupersede(live.rows, { generation, nowMs, keep: input.maxLiveCodes - 1 });
      if (stale.length > 0) {
        await sql`
          update otp_codes set status = 'superseded'
          where status = 'live' and id in (${sql.join(stale)})`.execute(trx);
      }
      await sql`
        insert into otp_codes
          (id, challenge_id, generation, key_id, code_hash, status, created_at, expires_at, requested_ip, link_hash)
        values (${input.codeId}, ${challengeId}, ${generation}, ${input.keyId}, ${input.codeHash}, 'live', ${nowMs},
          ${input.expiresAtMs}, ${input.clientIp}, ${input.linkTokenHash ?? null})`.execute(trx);
      await sql`
        insert into outbox_messages (id, recipient, sealed_body, status, attempts, next_attempt_at, lease_until,
          created_at, expires_at, sent_at, updated_at, last_error)
        values (${input.codeId}, ${input.recipient}, ${input.sealedEmail}, 'queued', 0, ${nowMs}, null,
          ${nowMs}, ${input.expiresAtMs}, null, ${nowMs}, null)`.execute(trx);
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
      const { rows } = await sql<{ id: string; generation: number | string; attempts: number | string }>`
        insert into otp_challenges (id, address, purpose, generation, attempts, last_sent_at, updated_at)
        values (${randomUUID()}, ${address}, ${purpose}, 1, 1, 0, ${nowMs})
        on conflict (address, purpose) do update set attempts = otp_challenges.attempts + 1, updated_at = ${nowMs}
        where otp_challenges.attempts < ${input.maxAttemptsPerCode}
        returning id, generation, attempts`.execute(trx);
      const challenge = rows[0];
      if (challenge === undefined) return refuse({ ok: false, reason: 'locked' });
      const generation = Number(challenge.generation);
      // Read in the same transaction: one round trip fewer, and the codes are those of the generation
      // this attempt was counted against.
      const codes = await sql<{ id: string; key_id: string; code_hash: string; expires_at: number | string }>`
        select id, key_id, code_hash, expires_at from otp_codes
        where challenge_id = ${challenge.id} and generation = ${generation} and status = 'live'
        order by created_at desc`.execute(trx);
      return {
        ok: true,
        challengeId: challenge.id,
        generation,
        attemptsUsed: Number(challenge.attempts),
        addressAttemptsUsed: addressAttempts.ok ? addressAttempts.count : input.addressFailureLimit,
        addressWindowResetInMs: addressAttempts.ok ? addressAttempts.resetInMs : input.addressFailureWindowMs,
        codes: codes.rows.map((row) => ({
          id: row.id,
          keyId: row.key_id,
          codeHash: row.code_hash,
          expiresAtMs: Number(row.expires_at),
        })),
      };
    });
  }

  consumeCode(input: ConsumeCodeInput): Promise<boolean> {
    return transactionWithRefusal<boolean>(this.db, async (trx, refuse) => {
      const { challengeId, nowMs } = input;
      // Lock order as everywhere: address window, challenge, codes. A success is not a failure, so the
      // address's window gives back this attempt; if the code turns out not to be ours, refuse() undoes it.
      await refundRateWindow(trx, {
        key: rateWindowKeys.addressAttempts(input.address),
        windowMs: input.addressFailureWindowMs,
        nowMs,
      });
      await sql`
        update otp_challenges set attempts = 0, generation = generation + 1, updated_at = ${nowMs}
        where id = ${challengeId} and generation = ${input.generation}`.execute(trx);
      // The conditional update is the single-use guarantee: of any number of racing verifies, one changes the row.
      const won = await sql`
        update otp_codes set status = 'used'
        where id = ${input.codeId} and status = 'live' and expires_at > ${nowMs}`.execute(trx);
      if (won.numAffectedRows !== 1n) refuse(false);
      await sql`update otp_codes set status = 'superseded' where challenge_id = ${challengeId} and status = 'live'`.execute(trx);
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

/**
 * The live codes a new one replaces: all but the newest `keep` that belong to the current generation and
 * have not expired (newest first; equal times by id, so the choice is the same on every run).
 */
export function codesToSupersede(
  live: readonly { id: string; generation: number | string; created_at: number | string; expires_at: number | string }[],
  input: { generation: number; nowMs: number; keep: number },
): string[] {
  const kept = live
    .filter((code) => Number(code.generation) === input.generation && Number(code.expires_at) > input.nowMs)
    .sort((a, b) => Number(b.created_at) - Number(a.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, Math.max(0, input.keep));
  const keptIds = new Set(kept.map((code) => code.id));
  return live.filter((code) => !keptIds.has(code.id)).map((code) => code.id);
}
