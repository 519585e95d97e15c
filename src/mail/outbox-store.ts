import type { DeliveryStatus } from '../core/code-delivery.js';

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
  /** The sending slot the message holds at its recipient's domain (domain-pacing.ts); null when none. */
  pacingSlotAtMs?: number | null;
}

export type OutboxCounts = Record<DeliveryStatus, number> & {
  oldestPendingAgeMs: number | null;
};

/**
 * Port: the outbox as the delivery worker sees it. Each method is one atomic statement or transaction.
 * An email that can never be delivered is not ended here but through UndeliverableCodes (the core's rule:
 * its code is withdrawn in the same transaction).
 */
export interface OutboxStore {
  /**
   * Takes up to `limit` messages that are due — queued and past their retry time, or (unless
   * `takeOverExpired` is false) claimed by a worker whose lease ran out — and leases them to the caller
   * until `nowMs + leaseMs`.
   */
  claimDue(input: { nowMs: number; limit: number; leaseMs: number; takeOverExpired?: boolean }): Promise<ClaimedMessage[]>;
  /**
   * Sent: the body (it holds the code) is wiped, and `transport` (the one that took it, when known)
   * recorded. Wins over `expired` (a send that outlived its claim still went out), not over `failed`.
   */
  markSent(id: string, nowMs: number, transport?: string): Promise<void>;
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
   * Gives up on a message whose code expired before it could be sent: it ends `expired`, its body wiped,
   * and its send is given back (nobody received it). The code is left alone: it is dead anyway. False
   * when the claim no longer holds the message.
   */
  giveUpExpired(
    id: string,
    input: { nowMs: number; claimedAttempts: number; error: string; sendWindowMs: number },
  ): Promise<boolean>;
  counts(nowMs: number): Promise<OutboxCounts>;
}
