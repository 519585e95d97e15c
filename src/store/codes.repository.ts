import { type Kysely, sql } from 'kysely';
import type { LinkedCode, StoredCode } from '../core/otp-store.js';
import { deleteInKeyRanges } from './batched-delete.js';
import type { Database } from './schema.js';

// The owner of otp_codes: a code's hash, its generation and its status (live → used, superseded or
// withdrawn). The statements on the request and verify paths are written as SQL, not built: Kysely's
// builder cost more CPU than the statement itself. Both dialects run this text.

/**
 * Supersedes what a new code replaces. At most maxLiveCodes stay live: the newest `keep` (maxLiveCodes - 1)
 * unexpired ones, and the new one. Read first and picked here: most requests find no live code at all,
 * and a plain indexed read costs a fraction of an `update … not in (select … order by … limit)` (which
 * builds two temporary b-trees even when nothing matches). No code of this challenge can appear or change
 * meanwhile: issuing holds the challenge row (lockChallenge), and `status = 'live'` below spares one used since.
 */
export async function supersedeOldCodes(
  trx: Kysely<Database>,
  input: { challengeId: string; generation: number; nowMs: number; keep: number },
): Promise<void> {
  const live = await sql<{
    id: string;
    generation: number | string;
    created_at: number | string;
    expires_at: number | string;
  }>`
    select id, generation, created_at, expires_at from otp_codes
    where challenge_id = ${input.challengeId} and status = 'live'`.execute(trx);
  const stale = codesToSupersede(live.rows, input);
  if (stale.length > 0) {
    await sql`
      update otp_codes set status = 'superseded'
      where status = 'live' and id in (${sql.join(stale)})`.execute(trx);
  }
}

/**
 * The live codes a new one replaces: all but the newest `keep` that belong to the current generation and
 * have not expired (newest first; equal times by id, so the choice is the same on every run).
 */
export function codesToSupersede(
  live: readonly { id: string; generation: number | string; created_at: number | string; expires_at: number | string }[],
  input: { generation: number; nowMs: number; keep: number },
): string[] {
  const kept = live
    .filter((code) => Number(code.generation) === input.generation && Number(code.expires_at) > input.nowMs)
    .sort((a, b) => Number(b.created_at) - Number(a.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, Math.max(0, input.keep));
  const keptIds = new Set(kept.map((code) => code.id));
  return live.filter((code) => !keptIds.has(code.id)).map((code) => code.id);
}

export interface NewCode {
  codeId: string;
  challengeId: string;
  generation: number;
  keyId: string;
  codeHash: string;
  nowMs: number;
  expiresAtMs: number;
  clientIp: string | null;
  linkTokenHash?: string;
}

export async function insertCode(trx: Kysely<Database>, code: NewCode): Promise<void> {
  await sql`
    insert into otp_codes
      (id, challenge_id, generation, key_id, code_hash, status, created_at, expires_at, requested_ip, link_hash)
    values (${code.codeId}, ${code.challengeId}, ${code.generation}, ${code.keyId}, ${code.codeHash}, 'live', ${code.nowMs},
      ${code.expiresAtMs}, ${code.clientIp}, ${code.linkTokenHash ?? null})`.execute(trx);
}

/** The codes of a generation still marked live, newest first, expired ones included. */
export async function liveCodesOfGeneration(
  trx: Kysely<Database>,
  input: { challengeId: string; generation: number },
): Promise<StoredCode[]> {
  const codes = await sql<{ id: string; key_id: string; code_hash: string; expires_at: number | string }>`
    select id, key_id, code_hash, expires_at from otp_codes
    where challenge_id = ${input.challengeId} and generation = ${input.generation} and status = 'live'
    order by created_at desc`.execute(trx);
  return codes.rows.map((row) => ({
    id: row.id,
    keyId: row.key_id,
    codeHash: row.code_hash,
    expiresAtMs: Number(row.expires_at),
  }));
}

/**
 * Marks the code used if it is still live and unexpired. The conditional update is the single-use
 * guarantee: of any number of racing verifies, one changes the row and gets true.
 */
export async function useCode(trx: Kysely<Database>, input: { codeId: string; nowMs: number }): Promise<boolean> {
  const won = await sql`
    update otp_codes set status = 'used'
    where id = ${input.codeId} and status = 'live' and expires_at > ${input.nowMs}`.execute(trx);
  return won.numAffectedRows === 1n;
}

/** Every code of the challenge still live goes (a success burns the code's twin too). */
export async function supersedeLiveCodes(trx: Kysely<Database>, challengeId: string): Promise<void> {
  await sql`update otp_codes set status = 'superseded' where challenge_id = ${challengeId} and status = 'live'`.execute(trx);
}

/** Reads the challenge's address and purpose along with the code: a link carries neither. */
export async function findCodeByLinkHash(db: Kysely<Database>, linkHash: string): Promise<LinkedCode | null> {
  const row = await db
    .selectFrom('otp_codes')
    .innerJoin('otp_challenges', 'otp_challenges.id', 'otp_codes.challenge_id')
    .select([
      'otp_codes.id',
      'otp_codes.challenge_id',
      'otp_codes.generation',
      'otp_codes.status',
      'otp_codes.expires_at',
      'otp_challenges.address',
      'otp_challenges.purpose',
      'otp_challenges.flow_hash',
    ])
    .where('otp_codes.link_hash', '=', linkHash)
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    codeId: row.id,
    challengeId: row.challenge_id,
    generation: Number(row.generation),
    status: row.status,
    expiresAtMs: Number(row.expires_at),
    address: row.address,
    purpose: row.purpose,
    flowKey: row.flow_hash ?? '',
  };
}

/** Withdraws a live code nobody received: its challenge and generation, or null when it was not live. */
export async function withdrawLiveCode(
  trx: Kysely<Database>,
  codeId: string,
): Promise<{ challengeId: string; generation: number } | null> {
  const code = await trx
    .updateTable('otp_codes')
    .set({ status: 'withdrawn' })
    .where('id', '=', codeId)
    .where('status', '=', 'live')
    .returning(['challenge_id', 'generation'])
    .executeTakeFirst();
  return code === undefined ? null : { challengeId: code.challenge_id, generation: Number(code.generation) };
}

/**
 * Brings back the code a withdrawn one replaced. Within a generation only a resend supersedes, so the
 * newest superseded, unexpired code is the one.
 */
export async function restoreReplacedCode(
  trx: Kysely<Database>,
  input: { challengeId: string; generation: number; nowMs: number },
): Promise<void> {
  const replaced = trx
    .selectFrom('otp_codes')
    .select('id')
    .where('challenge_id', '=', input.challengeId)
    .where('generation', '=', input.generation)
    .where('status', '=', 'superseded')
    .where('expires_at', '>', input.nowMs)
    .orderBy('created_at', 'desc')
    .limit(1);
  await trx.updateTable('otp_codes').set({ status: 'live' }).where('id', 'in', replaced).execute();
}

/**
 * Sweeps codes that can no longer be used (used, superseded, withdrawn) and those expired before `cutoffMs`.
 * Finished codes issued after `finishedKeptSinceMs` stay: the pumping signal counts them (code-conversion.repository.ts).
 */
export function deleteDeadCodes(
  db: Kysely<Database>,
  cutoffMs: number,
  finishedKeptSinceMs = Number.POSITIVE_INFINITY,
): Promise<number> {
  return deleteInKeyRanges(db, {
    table: 'otp_codes',
    key: 'id',
    where: (eb) =>
      eb.or([
        Number.isFinite(finishedKeptSinceMs)
          ? eb.and([eb('status', '!=', 'live'), eb('created_at', '<=', finishedKeptSinceMs)])
          : eb('status', '!=', 'live'),
        eb('expires_at', '<=', cutoffMs),
      ]),
  });
}
