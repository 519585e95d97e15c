import { type Kysely, sql } from 'kysely';
import { deleteInKeyRanges } from './batched-delete.js';
import type { Database } from './schema.js';

// The owner of outbox_domain_pacing (one row per recipient domain), and of the pacing columns of an
// outbox message (outbox.repository.ts owns the rest of that row). Each function is one statement.

interface SlotInput {
  domain: string;
  nowMs: number;
  intervalMs: number;
  burstMs: number;
  latestSlotAtMs: number;
}

/**
 * GCRA, reserving: the next slot is `max(now, next_slot_at - burst)`; taking it moves next_slot_at one
 * interval past `max(next_slot_at, now)`. The interval is multiplied by the slow-down factor (and the
 * burst dropped) while the domain is slowed. The `where` refuses a slot later than `latestSlotAtMs`, so
 * a message that could not go before its code expires reserves nothing and holds no one else up.
 * @returns the reserved slot's time, or null when none was early enough
 */
export async function reserveDomainSlot(db: Kysely<Database>, input: SlotInput): Promise<number | null> {
  const { domain, nowMs, latestSlotAtMs } = input;
  const intervalMs = Math.ceil(input.intervalMs);
  const burstMs = Math.floor(input.burstMs);
  const slowed = sql`outbox_domain_pacing.slowed_until > ${nowMs}`;
  // The earliest time the next email may go: next_slot_at less the burst allowance (none while slowed).
  const earliest = sql`case when ${slowed} then outbox_domain_pacing.next_slot_at
    else outbox_domain_pacing.next_slot_at - ${burstMs} end`;
  const nextSlot = sql`case when outbox_domain_pacing.next_slot_at > ${nowMs} then outbox_domain_pacing.next_slot_at else ${nowMs} end`;
  const { rows } = await sql<{ next_slot_at: number | string; slow_factor: number | string; slowed_until: number | string }>`
    insert into outbox_domain_pacing (domain, next_slot_at, slow_factor, slowed_until, updated_at)
    values (${domain}, ${nowMs + intervalMs}, 1, 0, ${nowMs})
    on conflict (domain) do update set
      next_slot_at = (${nextSlot}) + ${intervalMs} * (case when ${slowed} then outbox_domain_pacing.slow_factor else 1 end),
      updated_at = ${nowMs}
    where (${earliest}) <= ${latestSlotAtMs} or (${earliest}) <= ${nowMs}
    returning next_slot_at, slow_factor, slowed_until`.execute(db);
  const row = rows[0];
  if (row === undefined) return null;
  // Back from the new next_slot_at to the slot this reservation took.
  const isSlowed = Number(row.slowed_until) > nowMs;
  const taken = Number(row.next_slot_at) - intervalMs * (isSlowed ? Number(row.slow_factor) : 1);
  return Math.max(nowMs, taken - (isSlowed ? 0 : burstMs));
}

/**
 * A deferral: the domain's interval doubles (up to `maxSlowFactor`) for `slowedForMs` from now, and its
 * next slot moves one (slowed) interval on, a short hold before the next email to it.
 */
export async function slowDomainDown(
  db: Kysely<Database>,
  input: { domain: string; nowMs: number; intervalMs: number; slowedForMs: number; maxSlowFactor: number },
): Promise<void> {
  const { domain, nowMs, slowedForMs, maxSlowFactor } = input;
  const intervalMs = Math.ceil(input.intervalMs);
  const doubled = sql`outbox_domain_pacing.slow_factor * 2`;
  const factor = sql`case when outbox_domain_pacing.slowed_until <= ${nowMs} then 2
    when ${doubled} > ${maxSlowFactor} then ${maxSlowFactor} else ${doubled} end`;
  await sql`
    insert into outbox_domain_pacing (domain, next_slot_at, slow_factor, slowed_until, updated_at)
    values (${domain}, ${nowMs + 2 * intervalMs}, 2, ${nowMs + slowedForMs}, ${nowMs})
    on conflict (domain) do update set
      slow_factor = ${factor},
      slowed_until = ${nowMs + slowedForMs},
      next_slot_at = (case when outbox_domain_pacing.next_slot_at > ${nowMs} then outbox_domain_pacing.next_slot_at
                           else ${nowMs} end) + ${intervalMs} * (${factor}),
      updated_at = ${nowMs}`.execute(db);
}

/**
 * Gives a reserved slot back: the email never reached the domain (our transport failed). next_slot_at
 * moves one interval back, so the next reservation gets the capacity; it never goes below what
 * `max(next_slot_at, now)` clamps, so giving back cannot make a burst beyond the allowance.
 */
export async function giveBackDomainSlot(
  db: Kysely<Database>,
  input: { domain: string; nowMs: number; intervalMs: number },
): Promise<void> {
  const { domain, nowMs } = input;
  const intervalMs = Math.ceil(input.intervalMs);
  await sql`
    update outbox_domain_pacing
    set next_slot_at = next_slot_at - ${intervalMs} * (case when slowed_until > ${nowMs} then slow_factor else 1 end),
        updated_at = ${nowMs}
    where domain = ${domain} and next_slot_at > ${nowMs}`.execute(db);
}

/**
 * Back to the queue until `untilMs`, the claim's attempt given back (pacing is not a delivery attempt),
 * holding `slotAtMs` when it reserved one. Fenced by the claim's attempt count like every claim write.
 */
export async function postponePacedMessage(
  db: Kysely<Database>,
  id: string,
  input: { claimedAttempts: number; nowMs: number; untilMs: number; slotAtMs: number | null },
): Promise<boolean> {
  const result = await db
    .updateTable('outbox_messages')
    .set({
      status: 'queued',
      lease_until: null,
      attempts: sql`attempts - 1`,
      next_attempt_at: input.untilMs,
      pacing_slot_at: input.slotAtMs,
      updated_at: input.nowMs,
    })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('attempts', '=', input.claimedAttempts)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Sweeps domains with no reserved slot left and no slow-down running (a new row starts fresh). */
export function deleteIdleDomainPacing(db: Kysely<Database>, nowMs: number): Promise<number> {
  return deleteInKeyRanges(db, {
    table: 'outbox_domain_pacing',
    key: 'domain',
    where: (eb) => eb.and([eb('next_slot_at', '<=', nowMs), eb('slowed_until', '<=', nowMs)]),
  });
}
