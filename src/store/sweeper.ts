import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { dailySendWindowSeconds, type OtpPolicy } from '../core/otp-policy.js';
import { deleteEndedAddressFailures } from './address-failures.repository.js';
import { deleteIdleChallenges } from './challenges.repository.js';
import { deleteDeadCodes } from './codes.repository.js';
import { deleteOldDailySends, hourMs } from './daily-sends.repository.js';
import { deleteIdleDomainPacing } from './domain-pacing.repository.js';
import { deleteFinishedMessages } from './outbox.repository.js';
import { deleteOldRateWindows } from './rate-window.repository.js';
import type { Database } from './schema.js';
import { deleteExpiredPowChallenges } from './spent-pow-challenges.repository.js';
import { deleteStaleSuccessVisits } from './success-visits.repository.js';
import { deleteExpiredSuppressions } from './suppressions.repository.js';

export interface SweeperOptions {
  db: Kysely<Database>;
  clock: Clock;
  intervalMs: number;
  /** How long finished codes and idle challenges are kept (sweepRetentionMs). */
  retentionMs: number;
  /** How long counters are kept (counterRetentionOf): at least the longest window each counts in. */
  counterRetention?: CounterRetention;
  onSwept?: (deleted: number) => void;
  onError?: (error: unknown) => void;
}

/** Removes expired, used and dead codes on a timer. A failed sweep is reported and retried next tick. */
export function startSweeper(options: SweeperOptions): { stop(): void } {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const deleted = await sweepOnce(options.db, options.clock.nowMs(), options.retentionMs, options.counterRetention);
      options.onSwept?.(deleted);
    } catch (error) {
      options.onError?.(error);
    } finally {
      running = false;
    }
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * One sweep (the CLI's `purge`): deletes what no rule needs any more, each table by its owner's
 * statement, in short batches over key ranges (see deleteInKeyRanges) so a large backlog never stalls
 * requests. Codes go before challenges: a challenge is kept while it still has any code.
 *
 * @returns how many rows went
 */
export async function sweepOnce(
  db: Kysely<Database>,
  nowMs: number,
  retentionMs: number,
  counterRetention: CounterRetention = { rateWindowsMs: retentionMs, addressFailuresMs: retentionMs },
): Promise<number> {
  const cutoffMs = nowMs - retentionMs;
  const finishedCodesMs = counterRetention.finishedCodesMs;
  const codes = await deleteDeadCodes(db, cutoffMs, finishedCodesMs === undefined ? undefined : nowMs - finishedCodesMs);
  const challenges = await deleteIdleChallenges(db, cutoffMs);
  const windows = await deleteOldRateWindows(db, nowMs - Math.max(retentionMs, counterRetention.rateWindowsMs));
  const failures = await deleteEndedAddressFailures(db, nowMs - counterRetention.addressFailuresMs);
  const messages = await deleteFinishedMessages(db, cutoffMs);
  const visits = await deleteStaleSuccessVisits(db, nowMs);
  const suppressions = await deleteExpiredSuppressions(db, nowMs);
  const powChallenges = await deleteExpiredPowChallenges(db, nowMs);
  const pacing = await deleteIdleDomainPacing(db, nowMs);
  // Hours older than any day the daily cap still counts (daily-mail-cap.ts: 25 hours).
  const dailySends = await deleteOldDailySends(db, nowMs - 26 * hourMs);
  return codes + challenges + windows + failures + messages + visits + suppressions + powChallenges + pacing + dailySends;
}

/** How long each kind of counter outlives its last start: never shorter than the window it counts in. */
export interface CounterRetention {
  rateWindowsMs: number;
  addressFailuresMs: number;
  /** Finished codes (used, superseded, withdrawn) are kept this long after issue, for the pumping signal. @default 0 */
  finishedCodesMs?: number;
}

export function counterRetentionOf(policy: OtpPolicy): CounterRetention {
  return {
    rateWindowsMs: 1000 * Math.max(sweepRetentionMs(policy) / 1000, dailySendWindowSeconds),
    addressFailuresMs: 1000 * policy.addressFailureWindowSeconds,
  };
}

/**
 * How long the sweeper keeps finished codes and idle challenges: an hour (so a late visitor is told
 * "expired"), and at least the hourly windows. Counters have their own, longer retention (counterRetentionOf).
 */
export function sweepRetentionMs(policy: OtpPolicy): number {
  return 1000 * Math.max(3600, policy.sendWindowSeconds, policy.resendCooldownSeconds);
}
