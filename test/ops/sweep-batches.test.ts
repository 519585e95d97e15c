import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteInKeyRanges } from '../../src/store/batched-delete.js';
import { type OtpDatabase, openSqliteDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { sweepOnce } from '../../src/store/sweeper.js';

const hourMs = 3600_000;
const nowMs = Date.UTC(2030, 0, 1);

describe('sweeping in batches', () => {
  let dir: string;
  let db: OtpDatabase;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otp-sweep-'));
    db = openSqliteDatabase(join(dir, 'otp.sqlite'));
    await migrateToLatest(db);
  });

  afterEach(async () => {
    // The folder goes even when the database failed to open.
    try {
      await db?.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** `count` addresses with one code each; every `liveEvery`-th code is live, the rest long expired. */
  async function seed(count: number, liveEvery: number) {
    const series = sql`with recursive n(i) as (select 0 union all select i + 1 from n where i < ${count - 1})`;
    await sql`${series} insert into otp_challenges (id, address, purpose, generation, attempts, last_sent_at, updated_at)
      select printf('c%06d', i), 'a' || i || '@example.com', 'sign-in', 1, 0, 0, ${nowMs - 2 * hourMs} from n`.execute(db);
    await sql`${series} insert into otp_codes (id, challenge_id, generation, key_id, code_hash, status, created_at, expires_at, requested_ip)
      select printf('k%06d', i), printf('c%06d', i), 1, 'k', 'h', 'live', 0,
        case when i % ${liveEvery} = 0 then ${nowMs + hourMs} else ${nowMs - 2 * hourMs} end, null from n`.execute(db);
  }

  const count = async (table: 'otp_codes' | 'otp_challenges') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('deletes every expired code and idle challenge across many batches, and keeps the live ones', async () => {
    await seed(5000, 7);
    const live = Math.ceil(5000 / 7);
    expect(await sweepOnce(db, nowMs, hourMs)).toBe(2 * (5000 - live));
    expect(await count('otp_codes')).toBe(live);
    expect(await count('otp_challenges')).toBe(live);
    const survivors = await db.selectFrom('otp_codes').select('expires_at').execute();
    expect(survivors.every((row) => Number(row.expires_at) > nowMs)).toBe(true);
  });

  it('walks the table in ranges of the batch size, yielding between them', async () => {
    await seed(1050, 2);
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    const deleted = await deleteInKeyRanges(db, {
      table: 'otp_codes',
      key: 'id',
      where: (eb) => eb('expires_at', '<=', nowMs - hourMs),
      batchSize: 100,
    });
    clearInterval(counting);
    expect(deleted).toBe(525);
    expect(await count('otp_codes')).toBe(525);
    // 11 ranges, with the event loop free between them: timers got to run while the sweep went on.
    expect(turns).toBeGreaterThan(0);
  });

  it('copes with an empty table', async () => {
    expect(await sweepOnce(db, nowMs, hourMs)).toBe(0);
  });
});
