import { vi } from 'vitest';
import type { DeliveryStatus } from '../../src/core/code-delivery.js';
import type { OtpDatabase } from '../../src/store/database.js';
import type { OutboxMessageRow } from '../../src/store/schema.js';

/** Every outbox row, oldest first. */
export function outboxRows(db: OtpDatabase): Promise<OutboxMessageRow[]> {
  return db.selectFrom('outbox_messages').selectAll().orderBy('created_at').orderBy('id').execute();
}

/** How many emails the outbox holds, whatever their status. */
export async function outboxSize(db: OtpDatabase): Promise<number> {
  const row = await db
    .selectFrom('outbox_messages')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many rows are in each status, e.g. `{ sent: 199, failed: 1 }`. */
export async function outboxStatusCounts(db: OtpDatabase): Promise<Partial<Record<DeliveryStatus, number>>> {
  const counts: Partial<Record<DeliveryStatus, number>> = {};
  for (const row of await outboxRows(db)) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}

/** Waits until no row is queued or sending any more, and returns the rows. */
export async function waitForOutboxFinished(db: OtpDatabase, timeoutMs = 10_000): Promise<OutboxMessageRow[]> {
  return vi.waitFor(
    async () => {
      const rows = await outboxRows(db);
      const pending = rows.filter((row) => row.status === 'queued' || row.status === 'sending');
      if (pending.length > 0) throw new Error(`${pending.length} of ${rows.length} outbox rows still pending`);
      return rows;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

/**
 * Waits until no send is under way: the worker has recorded what the mail server took. A test that reads
 * a code from the SMTP server and then jumps a fake clock must wait for this first, or the jump also
 * ends the lease of a send still waiting for its reply, and the row is taken over (and given up on).
 */
export async function waitForNoSendInFlight(db: OtpDatabase, timeoutMs = 10_000): Promise<void> {
  await vi.waitFor(
    async () => {
      const sending = (await outboxRows(db)).filter((row) => row.status === 'sending').length;
      if (sending > 0) throw new Error(`${sending} outbox rows still sending`);
    },
    { timeout: timeoutMs, interval: 20 },
  );
}

/** `count` distinct addresses that sort in request order: `${prefix}-000@example.com`, … */
export function distinctAddresses(count: number, prefix = 'person'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}@example.com`);
}
