import { type Kysely, sql } from 'kysely';

/** Codes issued since a moment, and how many of them were verified: the pumping signal's reading. */
export interface CodeConversion {
  issued: number;
  verified: number;
}

/**
 * Counts over otp_codes by its created_at index (migration 0009). Finished codes stay in the table for
 * the pressure window (the sweeper keeps them: CounterRetention.finishedCodesMs), so a verified code
 * is still there to be counted. Deployment-wide: every process and the API's codes are in it.
 */
export async function codeConversionSince(db: Kysely<any>, sinceMs: number): Promise<CodeConversion> {
  const { rows } = await sql<{ issued: number | string | null; verified: number | string | null }>`
    select count(*) as issued, sum(case when status = 'used' then 1 else 0 end) as verified
    from otp_codes where created_at > ${sinceMs}`.execute(db);
  return { issued: Number(rows[0]?.issued ?? 0), verified: Number(rows[0]?.verified ?? 0) };
}
