import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import type { OtpPolicy } from '../core/otp-policy.js';
import { deleteIdleChallenges } from './challenges.repository.js';
import { deleteDeadCodes } from './codes.repository.js';
import { deleteFinishedMessages } from './outbox.repository.js';
import { deleteOldRateWindows } from './rate-window.repository.js';
import type { Database } from './schema.js';

export interface SweeperOptions {
  db: Kysely<Database>;
  clock: Clock;
  intervalMs: number;
  /** How long finished codes, idle challenges and old windows are kept; at least the longest window. */
  retentionMs: number;
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
      const deleted = await sweepOnce(options.db, options.clock.nowMs(), options.retentionMs);
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
export async function sweepOnce(db: Kysely<Database>, nowMs: number, retentionMs: number): Promise<number> {
  const cutoffMs = nowMs - retentionMs;
  const codes = await deleteDeadCodes(db, cutoffMs);
  const challenges = await deleteIdleChallenges(db, cutoffMs);
  const windows = await deleteOldRateWindows(db, cutoffMs);
  const messages = await deleteFinishedMessages(db, cutoffMs);
  return codes + challenges + windows + messages;
}

/**
 * How long the sweeper keeps what it could delete: an hour (so a late visitor is told "expired"), and at
 * least the longest window a limit counts over, so no counter is deleted while it still binds.
 */
export function sweepRetentionMs(policy: OtpPolicy): number {
  return 1000 * Math.max(3600, policy.sendWindowSeconds, policy.addressFailureWindowSeconds, policy.resendCooldownSeconds);
}
