/**
 * Port: the product rule for a code whose email can never be delivered (refused for good, retried past
 * the give-up time, or unreadable): nobody received the code, so it is withdrawn and the person may ask
 * again at once. The outbox worker calls it; OtpService implements it (with the policy's numbers) on top
 * of OtpStore.withdrawUndeliveredCode.
 */
export interface UndeliverableCodes {
  /**
   * Ends the code's outbox message `failed` and, in the same transaction, withdraws the code, gives back
   * its cooldown and its send, and brings back the code this send replaced. False, and nothing changed,
   * when the claim no longer holds the message (another worker took it over, or it was already finished).
   */
  withdrawUndeliveredCode(input: UndeliveredCode): Promise<boolean>;
}

export interface UndeliveredCode {
  /** The code's id, which is also its outbox message's id. */
  codeId: string;
  /** The attempt count the worker's claim returned: the fence that keeps a stale worker from writing. */
  claimedAttempts: number;
  /** Why the email could not be delivered, kept on the message (never the code). */
  error: string;
}
