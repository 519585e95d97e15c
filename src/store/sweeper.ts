import type { Clock } from '../core/clock.js';
import type { OtpPolicy } from '../core/otp-policy.js';
import type { OtpStore } from '../core/otp-store.js';

export interface SweeperOptions {
  store: OtpStore;
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
      const deleted = await options.store.sweep(options.clock.nowMs(), options.retentionMs);
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
 * How long the sweeper keeps what it could delete: an hour (so a late visitor is told "expired"), and at
 * least the longest window a limit counts over, so no counter is deleted while it still binds.
 */
export function sweepRetentionMs(policy: OtpPolicy): number {
  return 1000 * Math.max(3600, policy.sendWindowSeconds, policy.addressFailureWindowSeconds, policy.resendCooldownSeconds);
}
