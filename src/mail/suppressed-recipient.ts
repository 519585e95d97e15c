import { deliveryKeyOf } from '../core/canonical-mailbox.js';
import type { SuppressionList } from '../core/suppression-list.js';

/**
 * Why an email about to be sent must not be, because its recipient was suppressed after it was queued
 * (`suppressed: bounce`), or null to send it. The worker then ends it `failed` through
 * UndeliverableCodes, exactly as after a synchronous 550: its code is withdrawn, its send given back.
 *
 * Why here, just before the send, and not as a NOT EXISTS in the claim: the key is the canonical mailbox,
 * computed in code (deliveryKeyOf), which no outbox column holds, so the claim could not join on it
 * without a new column and index; and a row the claim skipped would stay queued, its code live and its
 * page saying "still sending" until it expired, instead of failing at once. The claim keeps walking its
 * (status, next_attempt_at) index unchanged; the price is one primary-key read per send. Measured with
 * bench/suppression-check.bench.ts (10,000 entries, 2 shared cores under load 7–12): mean 0.04–0.15 ms per
 * read on SQLite and 0.4–1.4 ms on PostgreSQL over loopback, against the milliseconds of the SMTP exchange
 * it precedes.
 */
export async function suppressionOfRecipient(
  suppressions: SuppressionList | undefined,
  recipient: string,
  nowMs: number,
): Promise<string | null> {
  const entry = await suppressions?.findSuppression(deliveryKeyOf(recipient), nowMs);
  // The cause only: this text is logged (otp.delivery_failed), and a diagnostic often quotes the address
  // unmasked ("550 5.1.1 <anna@example.com>: unknown"). The entry keeps it for `otp-app suppression list`.
  return entry == null ? null : `suppressed: ${entry.cause}`;
}
