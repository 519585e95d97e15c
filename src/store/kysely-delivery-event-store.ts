import type { Kysely } from 'kysely';
import { deliveryKeyOf } from '../core/canonical-mailbox.js';
import type { DeliveryEventStore, MessageReport, PermanentBounceInput } from '../core/delivery-event-store.js';
import {
  failBouncedMessage,
  noteDelayedMessage,
  noteDeliveredMessage,
  recipientOfMessage,
} from './delivery-reports.repository.js';
import type { Database } from './schema.js';
import { suppressMailbox } from './suppressions.repository.js';
import { transactionWithRefusal } from './transaction-with-refusal.js';
import { giveBackSend, withdrawCodeOfLostEmail } from './undelivered-email.js';

/** The delivery events' statements, composed into the transactions their rules need. */
export class KyselyDeliveryEventStore implements DeliveryEventStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Lock order as a synchronous 550 (undelivered-email.ts): the message, the mailbox's send windows, the
   * code, its challenge, its cooldown window — then the suppression, which nothing else locks.
   * transactionWithRefusal for its retry of a deadlock victim: the second run finds the same rows.
   */
  async applyPermanentBounce(input: PermanentBounceInput): Promise<MessageReport<{ applied: boolean; suppressed: boolean }>> {
    const { messageId, nowMs } = input;
    return transactionWithRefusal(this.db, async (trx) => {
      const failed = await failBouncedMessage(trx, input);
      if (failed === null) {
        // Already failed (this report came twice, or a 550 at the send got there first), or unknown.
        const known = await recipientOfMessage(trx, messageId);
        return known === null ? null : { ...known, applied: false, suppressed: false };
      }
      const { recipient } = failed;
      await giveBackSend(trx, recipient, input);
      await withdrawCodeOfLostEmail(trx, messageId, nowMs);
      const suppressed = await suppressMailbox(trx, {
        mailbox: deliveryKeyOf(recipient),
        address: recipient,
        cause: 'bounce',
        diagnostic: input.diagnostic,
        nowMs,
        expiresAtMs: input.suppressUntilMs,
      });
      return { recipient, applied: true, suppressed };
    });
  }

  recordTransientBounce(input: { messageId: string; diagnostic: string; nowMs: number }): Promise<MessageReport> {
    return noteDelayedMessage(this.db, input);
  }

  recordDelivered(input: { messageId: string; nowMs: number }): Promise<MessageReport> {
    return noteDeliveredMessage(this.db, input);
  }

  async applyComplaint(input: {
    messageId: string;
    diagnostic: string | null;
    nowMs: number;
  }): Promise<MessageReport<{ suppressed: boolean }>> {
    const message = await recipientOfMessage(this.db, input.messageId);
    if (message === null) return null;
    // One upsert: racing complaints suppress once, and the second finds it done.
    const suppressed = await suppressMailbox(this.db, {
      mailbox: deliveryKeyOf(message.recipient),
      address: message.recipient,
      cause: 'complaint',
      diagnostic: input.diagnostic,
      nowMs: input.nowMs,
      expiresAtMs: null,
    });
    return { recipient: message.recipient, suppressed };
  }
}
