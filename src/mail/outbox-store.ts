/** A queued email taken by one worker for one delivery attempt. */
export interface ClaimedMessage {
  id: string;
  recipient: string;
  /** Null only if something wiped it early; such a message cannot be sent and is failed. */
  sealedBody: string | null;
  /** Delivery attempts so far, this one included. */
  attempts: number;
  createdAtMs: number;
  expiresAtMs: number;
}

export type OutboxCounts = Record<'queued' | 'sending' | 'sent' | 'failed' | 'expired', number> & {
  oldestPendingAgeMs: number | null;
};

/** Port: the outbox as the delivery worker sees it. Each method is one atomic statement or transaction. */
export interface OutboxStore {
  /**
   * Takes up to `limit` messages that are due — queued and past their retry time, or (unless
   * `takeOverExpired` is false) claimed by a worker whose lease ran out — and leases them to the caller
   * until `nowMs + leaseMs`.
   */
  claimDue(input: { nowMs: number; limit: number; leaseMs: number; takeOverExpired?: boolean }): Promise<ClaimedMessage[]>;
  /** Sent: the body (it holds the code) is wiped. Wins over `expired` (a send that outlived its claim still went out), not over `failed`. */
  markSent(id: string, nowMs: number): Promise<void>;
  /**
   * Back to the queue until `nextAttemptAtMs`. `claimedAttempts` (the attempt count the claim returned)
   * fences the write: if another worker has since taken the message over, nothing changes.
   */
  scheduleRetry(
    id: string,
    input: { nowMs: number; claimedAttempts: number; nextAttemptAtMs: number; error: string },
  ): Promise<void>;
  /** Keeps a claim alive while its send is still under way; false when the claim was lost. */
  extendLease(id: string, input: { claimedAttempts: number; leaseUntilMs: number }): Promise<boolean>;
  /**
   * Given up: the body is wiped, and for `failed` the code is withdrawn (nobody received it) and its
   * cooldown and send count are given back, so the person can try again at once.
   */
  finish(
    id: string,
    input: { nowMs: number; claimedAttempts: number; status: 'failed' | 'expired'; error: string; sendWindowMs: number },
  ): Promise<void>;
  counts(nowMs: number): Promise<OutboxCounts>;
}
