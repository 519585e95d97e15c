import { sql } from 'kysely';
import { flowKeyOf } from '../src/core/verification-flow.js';
import { flowWithoutRequest } from '../src/web/pending-code.js';
import type { BenchDatabase } from './bench-database.js';

/**
 * Codes are bound to the flow that asked (issue 12). A page verify from the bench's session (no pending
 * code cookie) runs in the pages' no-request flow, an API verify in its key's: seeded codes belong to the
 * flow that will guess at them, so a verify-miss still meets a real code and is counted and compared.
 */
export const benchPageFlowKey = flowKeyOf(flowWithoutRequest);
export const benchApiFlowKey = flowKeyOf('api-key:bench');

export interface SeedInput {
  /** Ids and addresses start with it: `vm-` → vm-0@bench.example, vm-1@bench.example, … */
  prefix: string;
  count: number;
  nowMs: number;
  expiresAtMs: number;
  /** The flow the codes belong to. @default benchPageFlowKey */
  flowKey?: string;
}

export const seededAddress = (prefix: string, index: number) => `${prefix}${index}@bench.example`;

/**
 * Inserts `count` addresses, each with one live code (a random-looking hash nobody can match), in two
 * set-based statements generated inside the database: a million rows take seconds, not minutes.
 */
export async function seedLiveCodes(bench: BenchDatabase, input: SeedInput): Promise<void> {
  const { db } = bench;
  const { prefix, count, nowMs, expiresAtMs } = input;
  const flowKey = input.flowKey ?? benchPageFlowKey;
  const hash = 'ab'.repeat(32);
  if (bench.name === 'sqlite') {
    const series = sql`with recursive n(i) as (select 0 union all select i + 1 from n where i < ${count - 1})`;
    await sql`${series} insert into otp_challenges (id, address, purpose, flow_hash, generation, attempts, last_sent_at, updated_at)
      select ${prefix} || 'c' || i, ${prefix} || i || '@bench.example', 'sign-in', ${flowKey}, 1, 0, ${nowMs}, ${nowMs} from n`.execute(
      db,
    );
    await sql`${series} insert into otp_codes (id, challenge_id, generation, key_id, code_hash, status, created_at, expires_at, requested_ip)
      select ${prefix} || 'k' || i, ${prefix} || 'c' || i, 1, 'bench', ${hash}, 'live', ${nowMs}, ${expiresAtMs}, null from n`.execute(
      db,
    );
    return;
  }
  await sql`insert into otp_challenges (id, address, purpose, flow_hash, generation, attempts, last_sent_at, updated_at)
    select ${prefix}::text || 'c' || i, ${prefix}::text || i || '@bench.example', 'sign-in', ${flowKey}, 1, 0, ${nowMs}::bigint, ${nowMs}::bigint
    from generate_series(0, ${count - 1}::int) as i`.execute(db);
  await sql`insert into otp_codes (id, challenge_id, generation, key_id, code_hash, status, created_at, expires_at, requested_ip)
    select ${prefix}::text || 'k' || i, ${prefix}::text || 'c' || i, 1, 'bench', ${hash}, 'live', ${nowMs}::bigint, ${expiresAtMs}::bigint, null
    from generate_series(0, ${count - 1}::int) as i`.execute(db);
  await sql`analyze`.execute(db);
}

/** Makes the seeded codes and their challenges old enough for the sweeper to delete. */
export async function ageSeededCodes(bench: BenchDatabase, prefix: string, longAgoMs: number): Promise<void> {
  await bench.db.updateTable('otp_codes').set({ expires_at: longAgoMs }).where('id', 'like', `${prefix}k%`).execute();
  await bench.db.updateTable('otp_challenges').set({ updated_at: longAgoMs }).where('id', 'like', `${prefix}c%`).execute();
}

/** Gives every address its attempt budget back, so the next scenario's wrong guesses are all answered 422. */
export async function resetAttempts(bench: BenchDatabase): Promise<void> {
  await bench.db.updateTable('otp_challenges').set({ attempts: 0 }).where('attempts', '>', 0).execute();
  await bench.db.deleteFrom('address_failures').execute();
}

export async function countCodes(bench: BenchDatabase): Promise<number> {
  const row = await bench.db
    .selectFrom('otp_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Whether any seeded code is left: one seek on the primary key, where a count(*) would read a million
 * rows of the index four times a second and slow the very requests whose p99 the sweep scenario measures.
 */
export async function hasSeededCodes(bench: BenchDatabase, prefix: string): Promise<boolean> {
  const row = await bench.db
    .selectFrom('otp_codes')
    .select('id')
    .where('id', '>=', `${prefix}k`)
    .where('id', '<', `${prefix}l`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
