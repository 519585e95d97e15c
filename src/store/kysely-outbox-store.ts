import type { Kysely } from 'kysely';
import type { ClaimedMessage, OutboxCounts, OutboxStore } from '../mail/outbox-store.js';
import {
  claimMessages,
  countMessagesByStatus,
  extendMessageLease,
  markMessageSent,
  scheduleMessageRetry,
} from './outbox.repository.js';
import type { Database } from './schema.js';
import { transactionWithRefusal } from './transaction-with-refusal.js';
import { giveUpEmail } from './undelivered-email.js';

/** The outbox on the same database as the codes, so a code and its email commit together. */
export class KyselyOutboxStore implements OutboxStore {
  constructor(private readonly db: Kysely<Database>) {}

  async claimDue(input: { nowMs: number; limit: number; leaseMs: number; takeOverExpired?: boolean }): Promise<ClaimedMessage[]> {
    // Sends whose worker died first (their lease ran out; there are few), then queued mail that is due.
    // Two statements, each an atomic claim, because one with `(queued and due) or (sending and lease
    // over)` cannot walk the (status, next_attempt_at) index in order: SQLite read and sorted every due
    // row to pick five, so draining a backlog of 13,000 cost ≈0.5 ms of CPU per email.
    const takenOver =
      input.takeOverExpired === false
        ? []
        : await claimMessages(this.db, input, (eb) =>
            eb.and([eb('status', '=', 'sending'), eb('lease_until', '<=', input.nowMs)]),
          );
    if (takenOver.length === input.limit) return takenOver;
    const due = await claimMessages(this.db, { ...input, limit: input.limit - takenOver.length }, (eb) =>
      eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', input.nowMs)]),
    );
    return [...takenOver, ...due];
  }

  markSent(id: string, nowMs: number, transport?: string): Promise<void> {
    return markMessageSent(this.db, id, nowMs, transport);
  }

  scheduleRetry(
    id: string,
    input: { nowMs: number; claimedAttempts: number; nextAttemptAtMs: number; error: string },
  ): Promise<void> {
    return scheduleMessageRetry(this.db, id, input);
  }

  extendLease(id: string, input: { claimedAttempts: number; leaseUntilMs: number }): Promise<boolean> {
    return extendMessageLease(this.db, id, input);
  }

  async giveUpExpired(
    id: string,
    input: { nowMs: number; claimedAttempts: number; error: string; sendWindowMs: number },
  ): Promise<boolean> {
    const message = await transactionWithRefusal<{ recipient: string } | null>(this.db, (trx) =>
      giveUpEmail(trx, id, { ...input, status: 'expired' }),
    );
    return message !== null;
  }

  counts(nowMs: number): Promise<OutboxCounts> {
    return countMessagesByStatus(this.db, nowMs);
  }
}
