import type { Kysely } from 'kysely';
import type { DeliveryStatus } from '../core/code-delivery.js';
import { dailySendWindowSeconds } from '../core/otp-policy.js';
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
import { countAddressFailure, resetAddressFailures } from './address-failures.repository.js';
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
import { consumeRateWindow, type RateWindowResult, rateWindowKeys } from './rate-window.repository.js';
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
 * The hot paths take row locks in one order — challenge, rate windows, codes, the mailbox's failures —
 * so racing requests
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

  /**
   * The steps of a request, in lock order: the flow's challenge (locked, then stamped), the flow's
   * cooldown on the mailbox (across its aliases), the mailbox's hourly and daily send caps (across every
   * flow), codes, outbox.
   */
  issueCode(input: IssueCodeInput): Promise<IssueCodeResult> {
    return transactionWithRefusal<IssueCodeResult>(this.db, async (trx, refuse) => {
      const { nowMs } = input;
      await lockChallenge(trx, input);
      const challenge = await startOrJoinGeneration(trx, input);
      if (challenge === null) {
        const retryAfterMs = (await lastSentAtMs(trx, input)) + input.resendCooldownMs - nowMs;
        return refuse({ ok: false, reason: 'cooldown', retryAfterMs });
      }
      const cooldown = await countMailboxCooldown(trx, input);
      if (!cooldown.ok) refuse({ ok: false, reason: 'cooldown', retryAfterMs: cooldown.retryAfterMs });
      for (const sends of [await countSend(trx, input, 'hourly'), await countSend(trx, input, 'daily')]) {
        if (!sends.ok) refuse({ ok: false, reason: 'send_limit', retryAfterMs: sends.retryAfterMs });
      }
      const { id: challengeId, generation } = challenge;
      await supersedeOldCodes(trx, { challengeId, generation, nowMs, keep: input.maxLiveCodes - 1 });
      await insertCode(trx, { ...input, challengeId, generation });
      await queueEmail(trx, input);
      return { ok: true };
    });
  }

  deliveryStatus(codeId: string, flowKey: string): Promise<DeliveryStatus | null> {
    return deliveryStatusOf(this.db, codeId, flowKey);
  }

  reserveAttempt(input: ReserveAttemptInput): Promise<ReserveAttemptResult> {
    return transactionWithRefusal<ReserveAttemptResult>(this.db, async (trx, refuse) => {
      const challenge = await countAttempt(trx, input);
      if (challenge === null) return refuse({ ok: false, reason: 'locked' });
      // Read in the same transaction: one round trip fewer, and the codes are those of the generation
      // this attempt was counted against.
      const codes = await liveCodesOfGeneration(trx, { challengeId: challenge.id, generation: challenge.generation });
      // Only a guess that meets a real code can succeed, so only such a guess counts toward the mailbox:
      // a stranger's guesses in a flow of their own with no code cost the owner nothing.
      if (input.countsTowardMailbox && codes.some((code) => code.expiresAtMs > input.nowMs)) {
        const failures = await countAddressFailure(trx, {
          mailbox: input.mailbox,
          limit: input.addressFailureLimit,
          windowMs: input.addressFailureWindowMs,
          nowMs: input.nowMs,
        });
        if (!failures.ok) refuse({ ok: false, reason: 'paused', retryAfterMs: failures.retryAfterMs });
      }
      return { ok: true, challengeId: challenge.id, generation: challenge.generation, attemptsUsed: challenge.attempts, codes };
    });
  }

  consumeCode(input: ConsumeCodeInput): Promise<boolean> {
    return transactionWithRefusal<boolean>(this.db, async (trx, refuse) => {
      const { challengeId, nowMs } = input;
      // Lock order as everywhere: challenge, codes, the mailbox's failures. If the code turns out not to
      // be ours, refuse() undoes all of it.
      await startNextGeneration(trx, { challengeId, generation: input.generation, nowMs });
      if (!(await useCode(trx, input))) refuse(false);
      await supersedeLiveCodes(trx, challengeId);
      // A success: the mailbox's consecutive failures start over.
      await resetAddressFailures(trx, input.mailbox);
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

/**
 * The flow's cooldown on the whole mailbox: the challenge's own cooldown covers the exact address, this
 * one its aliases (`anna+1@`, `a.nna@gmail.com`). Per flow, so it says nothing of other flows' requests.
 */
function countMailboxCooldown(trx: Kysely<Database>, input: IssueCodeInput): Promise<RateWindowResult> {
  if (input.resendCooldownMs === 0) return Promise.resolve({ ok: true, count: 0, resetInMs: 0 });
  return consumeRateWindow(trx, {
    key: rateWindowKeys.cooldown(input.mailbox, input.purpose, input.flowKey),
    limit: 1,
    windowMs: input.resendCooldownMs,
    nowMs: input.nowMs,
  });
}

/** One more send for the mailbox in its window (hourly or daily), only if the window has room. */
function countSend(trx: Kysely<Database>, input: IssueCodeInput, window: 'hourly' | 'daily'): Promise<RateWindowResult> {
  const hourly = window === 'hourly';
  return consumeRateWindow(trx, {
    key: hourly ? rateWindowKeys.sends(input.mailbox) : rateWindowKeys.dailySends(input.mailbox),
    limit: hourly ? input.sendLimit : input.dailySendLimit,
    windowMs: hourly ? input.sendWindowMs : dailySendWindowSeconds * 1000,
    nowMs: input.nowMs,
  });
}
