export interface RetryPolicy {
  /** Delay before the second attempt. @default 1000 */
  baseDelayMs: number;
  /** The delay stops growing here. @default 300000 (5 minutes) */
  maxDelayMs: number;
  /** After this long since the email was queued, stop trying. @default 1800000 (30 minutes) */
  giveUpAfterMs: number;
}

/**
 * Exponential backoff with jitter: the delay doubles after each failed attempt, up to the cap, and is
 * drawn from its upper half so that messages that failed together do not all retry together.
 *
 * @example retryDelayMs(1, policy) // 500–1000 ms after the first failure
 */
export function retryDelayMs(failedAttempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A 5xx reply about the recipient or the message ("550 no such user") is permanent: trying again cannot
 * help. A 5xx about us (535 authentication failed, 554 at the greeting) is a fault of our setup that an
 * operator can fix, so it is retried until the give-up time like any temporary failure.
 */
export function isPermanentFailure(responseCode: number | undefined, errorCode?: string): boolean {
  const aboutRecipientOrMessage = errorCode === 'EENVELOPE' || errorCode === 'EMESSAGE';
  return responseCode !== undefined && responseCode >= 500 && responseCode < 600 && aboutRecipientOrMessage;
}
