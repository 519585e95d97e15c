import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { deleteInKeyRanges } from './batched-delete.js';
import type { Database } from './schema.js';

// The owner of otp_challenges: one row per (address, purpose, flow), holding the generation, the attempts
// counted against it and the last send. The statements on the request and verify paths are written as
// SQL, not built: Kysely's builder cost more CPU than the statement itself. Both dialects run this text.

export interface ChallengeKey {
  address: string;
  purpose: string;
  /** The flow's hash (verification-flow.ts): each flow has its own codes, budget and cooldown. */
  flowKey: string;
}

/**
 * Locks the challenge row (if there is one) before startOrJoinGeneration. On PostgreSQL that upsert's
 * subquery reads from the snapshot its statement started with; taking the lock first, in a statement of
 * its own, makes that snapshot include whatever a racing request for the same address committed before us.
 */
export async function lockChallenge(trx: Kysely<Database>, key: ChallengeKey): Promise<void> {
  await sql`
    update otp_challenges set updated_at = updated_at where address = ${key.address} and purpose = ${key.purpose} and flow_hash = ${key.flowKey}`.execute(
    trx,
  );
}

export interface StartOrJoinGenerationInput extends ChallengeKey {
  nowMs: number;
  resendCooldownMs: number;
  maxAttemptsPerCode: number;
}

/**
 * Stamps a send on the challenge, unless the last one is too recent: the challenge and generation the
 * new code belongs to, or null while the cooldown holds (nothing changed). Reads otp_codes in its
 * condition, because starting a generation and checking for live codes must be one statement.
 */
export async function startOrJoinGeneration(
  trx: Kysely<Database>,
  input: StartOrJoinGenerationInput,
): Promise<{ id: string; generation: number } | null> {
  const { address, purpose, flowKey, nowMs } = input;
  // A fresh generation starts when the old one is locked or has no usable code left; otherwise the
  // new code joins the live one and shares its attempt budget (a resend must not refill it).
  const startsFresh = sql`(otp_challenges.attempts >= ${input.maxAttemptsPerCode} or not exists (
    select 1 from otp_codes where otp_codes.challenge_id = otp_challenges.id
      and otp_codes.generation = otp_challenges.generation
      and otp_codes.status = 'live' and otp_codes.expires_at > ${nowMs}))`;
  // The cooldown is the upsert's condition: it changes nothing while the last send is too recent.
  // With no cooldown configured nothing may be refused as "too soon" — not even a racing request whose
  // clock read came a millisecond before another process stamped the row.
  const lastSentBefore = input.resendCooldownMs === 0 ? Number.MAX_SAFE_INTEGER : nowMs - input.resendCooldownMs;
  const { rows } = await sql<{ id: string; generation: number | string }>`
    insert into otp_challenges (id, address, purpose, flow_hash, generation, attempts, last_sent_at, updated_at)
    values (${randomUUID()}, ${address}, ${purpose}, ${flowKey}, 1, 0, ${nowMs}, ${nowMs})
    on conflict (address, purpose, flow_hash) do update set
      generation = case when ${startsFresh} then otp_challenges.generation + 1 else otp_challenges.generation end,
      attempts = case when ${startsFresh} then 0 else otp_challenges.attempts end,
      last_sent_at = ${nowMs},
      updated_at = ${nowMs}
    where otp_challenges.last_sent_at <= ${lastSentBefore}
    returning id, generation`.execute(trx);
  const challenge = rows[0];
  return challenge === undefined ? null : { id: challenge.id, generation: Number(challenge.generation) };
}

/** When the challenge last sent a code (ms since the epoch); for the cooldown's retry-after. */
export async function lastSentAtMs(trx: Kysely<Database>, key: ChallengeKey): Promise<number> {
  const last = await sql<{ last_sent_at: number | string }>`
    select last_sent_at from otp_challenges
    where address = ${key.address} and purpose = ${key.purpose} and flow_hash = ${key.flowKey}`.execute(trx);
  return Number(last.rows[0]!.last_sent_at);
}

/**
 * Counts one attempt against the current generation, only while it has budget left: the challenge, or
 * null when the generation is locked. An address that never asked for a code gets a challenge row too,
 * so that it answers, attempt after attempt, exactly like one that did.
 */
export async function countAttempt(
  trx: Kysely<Database>,
  input: ChallengeKey & { nowMs: number; maxAttemptsPerCode: number },
): Promise<{ id: string; generation: number; attempts: number } | null> {
  const { address, purpose, flowKey, nowMs } = input;
  const { rows } = await sql<{ id: string; generation: number | string; attempts: number | string }>`
    insert into otp_challenges (id, address, purpose, flow_hash, generation, attempts, last_sent_at, updated_at)
    values (${randomUUID()}, ${address}, ${purpose}, ${flowKey}, 1, 1, 0, ${nowMs})
    on conflict (address, purpose, flow_hash) do update set attempts = otp_challenges.attempts + 1, updated_at = ${nowMs}
    where otp_challenges.attempts < ${input.maxAttemptsPerCode}
    returning id, generation, attempts`.execute(trx);
  const challenge = rows[0];
  if (challenge === undefined) return null;
  return { id: challenge.id, generation: Number(challenge.generation), attempts: Number(challenge.attempts) };
}

/** After a success: the next code starts a fresh generation with a full budget (if `generation` is still current). */
export async function startNextGeneration(
  trx: Kysely<Database>,
  input: { challengeId: string; generation: number; nowMs: number },
): Promise<void> {
  await sql`
    update otp_challenges set attempts = 0, generation = generation + 1, updated_at = ${input.nowMs}
    where id = ${input.challengeId} and generation = ${input.generation}`.execute(trx);
}

/** The cooldown no longer holds: the next request may send at once. The challenge's key, or null if it is gone. */
export async function giveBackCooldown(trx: Kysely<Database>, challengeId: string): Promise<ChallengeKey | null> {
  const challenge = await trx
    .updateTable('otp_challenges')
    .set({ last_sent_at: 0 })
    .where('id', '=', challengeId)
    .returning(['address', 'purpose', 'flow_hash'])
    .executeTakeFirst();
  return challenge === undefined
    ? null
    : { address: challenge.address, purpose: challenge.purpose, flowKey: challenge.flow_hash ?? '' };
}

/** Sweeps challenges idle since `cutoffMs` that have no code left (a challenge with codes keeps their budget). */
export function deleteIdleChallenges(db: Kysely<Database>, cutoffMs: number): Promise<number> {
  return deleteInKeyRanges(db, {
    table: 'otp_challenges',
    key: 'id',
    where: (eb) =>
      eb.and([
        eb('updated_at', '<=', cutoffMs),
        eb.not(
          eb.exists(
            eb.selectFrom('otp_codes').select('otp_codes.id').whereRef('otp_codes.challenge_id', '=', 'otp_challenges.id'),
          ),
        ),
      ]),
  });
}
