/**
 * Port: what the delivery events do to the database, each method one transaction (or one statement).
 * Implemented by the Kysely store (src/store/kysely-delivery-event-store.ts).
 */
export interface DeliveryEventStore {
  /**
   * A permanent bounce, in one transaction: the message ends `failed` with the diagnostic (whatever its
   * status before, `sent` included: a report arrives minutes after the send), its send is given back,
   * its code withdrawn if still live (the cooldown given back, the code it replaced restored), and the
   * address suppressed. Applied once: a message already `failed` changes nothing (`applied: false`).
   */
  applyPermanentBounce(input: PermanentBounceInput): Promise<MessageReport<{ applied: boolean; suppressed: boolean }>>;
  /** A delay, noted on the message (`last_error`) unless it already failed for good. */
  recordTransientBounce(input: { messageId: string; diagnostic: string; nowMs: number }): Promise<MessageReport>;
  /** The receiving system confirmed delivery: `delivered_at`, kept at its first value. */
  recordDelivered(input: { messageId: string; nowMs: number }): Promise<MessageReport>;
  /** A spam complaint: the message's address suppressed until removed; `suppressed: false` if it already was. */
  applyComplaint(input: {
    messageId: string;
    diagnostic: string | null;
    nowMs: number;
  }): Promise<MessageReport<{ suppressed: boolean }>>;
}

export interface PermanentBounceInput {
  messageId: string;
  /** Cleaned and truncated (cleanDiagnostic). */
  diagnostic: string;
  nowMs: number;
  /** The send-cap window, to give back the send that reached nobody. */
  sendWindowMs: number;
  /** When the address's suppression lapses. */
  suppressUntilMs: number;
}

/** Null when no message has the id (swept, or never ours); otherwise its recipient and what changed. */
export type MessageReport<T = object> = ({ recipient: string } & T) | null;
