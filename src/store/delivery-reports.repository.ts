import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

// What mail systems report about an email after it left (bounces, delays, deliveries), written on its
// outbox row. Beside outbox.repository.ts, which owns the row's way from queued to sent: these
// statements come from the delivery events, not the worker.

const maxErrorLength = 500;

/**
 * Ends a message that bounced for good: `failed`, the diagnostic kept, whatever its status before —
 * `sent` too (a report arrives minutes after the send), unlike giveUpMessage, which is fenced on the
 * worker's claim. Its recipient, or null when it is unknown or already `failed`: of two identical or
 * racing reports one changes the row (on PostgreSQL the second waits for the first's row lock, then
 * finds the row failed).
 */
export async function failBouncedMessage(
  trx: Kysely<Database>,
  input: { messageId: string; diagnostic: string; nowMs: number },
): Promise<{ recipient: string } | null> {
  const row = await trx
    .updateTable('outbox_messages')
    .set({
      status: 'failed',
      sealed_body: null,
      lease_until: null,
      updated_at: input.nowMs,
      last_error: `bounced: ${input.diagnostic}`.slice(0, maxErrorLength),
    })
    .where('id', '=', input.messageId)
    .where('status', '!=', 'failed')
    .returning('recipient')
    .executeTakeFirst();
  return row ?? null;
}

/** The recipient of a message, or null for an unknown id. */
export async function recipientOfMessage(db: Kysely<Database>, messageId: string): Promise<{ recipient: string } | null> {
  const row = await db.selectFrom('outbox_messages').select('recipient').where('id', '=', messageId).executeTakeFirst();
  return row ?? null;
}

/** Notes a delay on the message; a message that failed for good keeps its own diagnostic. */
export async function noteDelayedMessage(
  db: Kysely<Database>,
  input: { messageId: string; diagnostic: string },
): Promise<{ recipient: string } | null> {
  const note = `delayed: ${input.diagnostic}`.slice(0, maxErrorLength);
  const row = await db
    .updateTable('outbox_messages')
    .set({ last_error: sql<string | null>`case when status = 'failed' then last_error else ${note} end` })
    .where('id', '=', input.messageId)
    .returning('recipient')
    .executeTakeFirst();
  return row ?? null;
}

/** Notes a confirmed delivery; the first confirmation's time is kept. */
export async function noteDeliveredMessage(
  db: Kysely<Database>,
  input: { messageId: string; nowMs: number },
): Promise<{ recipient: string } | null> {
  const row = await db
    .updateTable('outbox_messages')
    .set({ delivered_at: sql<number>`coalesce(delivered_at, ${input.nowMs})` })
    .where('id', '=', input.messageId)
    .returning('recipient')
    .executeTakeFirst();
  return row ?? null;
}
