import type { Kysely } from 'kysely';
import type { DeliveryStatus } from '../core/code-delivery.js';
import type {
  ConsumeCodeInput,
  IssueCodeInput,
  IssueCodeResult,
  LinkedCode,
  OtpStore,
  ReserveAttemptInput,
  ReserveAttemptResult,
  WithdrawUndeliveredCodeInput,
} from '../core/otp-store.js';
import {
  countAttempt,
  lastSentAtMs,
  lockChallenge,
  startNextGeneration,
  startOrJoinGeneration,
} from './challenges.repository.js';
import {
  findCodeByLinkHash,
  insertCode,
  liveCodesOfGeneration,
  supersedeLiveCodes,
  supersedeOldCodes,
  useCode,
} from './codes.repository.js';
import { deliveryStatusOf, queueEmail } from './outbox.repository.js';
import { consumeRateWindow, rateWindowKeys, refundRateWindow } from './rate-window.repository.js';
import type { Database } from './schema.js';
import { transactionWithRefusal } from './transaction-with-refusal.js';
import { withdrawUndeliveredCode } from './undelivered-email.js';

// Kept importable from here, where it lived before codes.repository.ts.
export { codesToSupersede } from './codes.repository.js';

/**
 * The one store implementation; the Kysely dialect decides whether it runs on SQLite or PostgreSQL.
 * Each table has one owner (challenges, codes, outbox and rate-window repositories); this class composes
 * their statements into the transactions the core's rules need.
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
 * names; every one of them runs in the core policy and concurrency suites (test/core, test/store) and the
 * flow tests (test/web), each on SQLite and on PostgreSQL.
 */
export class KyselyOtpStore implements OtpStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The steps of a request, in lock order: challenge (locked, then stamped), send window, codes, outbox. */
  issueCode(input: IssueCodeInput): Promise<IssueCodeResult> {
    return transactionWithRefusal<IssueCodeResult>(this.db, async (trx, refuse) => {
      const { nowMs } = input;
      await lockChallenge(trx, input);
      const challenge = await startOrJoinGeneration(trx, input);
      if (challenge === null) {
        const retryAfterMs = (await lastSentAtMs(trx, input)) + input.resendCooldownMs - nowMs;
        return refuse({ ok: false, reason: 'cooldown', retryAfterMs });
      }
      const sends = await countSend(trx, input);
      if (!sends.ok) refuse({ ok: false, reason: 'send_limit', retryAfterMs: sends.retryAfterMs });
      const { id: challengeId, generation } = challenge;
      await supersedeOldCodes(trx, { challengeId, generation, nowMs, keep: input.maxLiveCodes - 1 });
      await insertCode(trx, { ...input, challengeId, generation });
      await queueEmail(trx, input);
      return { ok: true };
    });
  }

  deliveryStatus(codeId: string): Promise<DeliveryStatus | null> {
    return deliveryStatusOf(this.db, codeId);
  }

  reserveAttempt(input: ReserveAttemptInput): Promise<ReserveAttemptResult> {
    return transactionWithRefusal<ReserveAttemptResult>(this.db, async (trx, refuse) => {
      const addressAttempts = await consumeRateWindow(trx, {
        key: rateWindowKeys.addressAttempts(input.address),
        limit: input.addressFailureLimit,
        windowMs: input.addressFailureWindowMs,
        nowMs: input.nowMs,
      });
      if (!addressAttempts.ok) refuse({ ok: false, reason: 'paused', retryAfterMs: addressAttempts.retryAfterMs });

      const challenge = await countAttempt(trx, input);
      if (challenge === null) return refuse({ ok: false, reason: 'locked' });
      // Read in the same transaction: one round trip fewer, and the codes are those of the generation
      // this attempt was counted against.
      const codes = await liveCodesOfGeneration(trx, { challengeId: challenge.id, generation: challenge.generation });
      return {
        ok: true,
        challengeId: challenge.id,
        generation: challenge.generation,
        attemptsUsed: challenge.attempts,
        addressAttemptsUsed: addressAttempts.ok ? addressAttempts.count : input.addressFailureLimit,
        addressWindowResetInMs: addressAttempts.ok ? addressAttempts.resetInMs : input.addressFailureWindowMs,
        codes,
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
      await startNextGeneration(trx, { challengeId, generation: input.generation, nowMs });
      if (!(await useCode(trx, input))) refuse(false);
      await supersedeLiveCodes(trx, challengeId);
      return true;
    });
  }

  findCodeByLinkHash(linkHash: string): Promise<LinkedCode | null> {
    return findCodeByLinkHash(this.db, linkHash);
  }

  withdrawUndeliveredCode(input: WithdrawUndeliveredCodeInput): Promise<boolean> {
    // transactionWithRefusal only for its retry: see the lock order in undelivered-email.ts.
    return transactionWithRefusal<boolean>(this.db, (trx) => withdrawUndeliveredCode(trx, input));
  }
}

/** One more send for the address in its window, only if the window has room. */
function countSend(trx: Kysely<Database>, input: IssueCodeInput) {
  return consumeRateWindow(trx, {
    key: rateWindowKeys.sends(input.address),
    limit: input.sendLimit,
    windowMs: input.sendWindowMs,
    nowMs: input.nowMs,
  });
}
