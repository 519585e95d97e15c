import { afterEach, describe, expect, it } from 'vitest';
import { KyselyOtpStore } from '../../src/store/kysely-otp-store.js';
import { KyselyOutboxStore } from '../../src/store/kysely-outbox-store.js';
import { dialects } from '../support/dialects.js';
import { outboxRows } from '../support/outbox-rows.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

describe.each(dialects)('outbox status after a send that outlived its claim (%s)', (dialect) => {
  let testDb: TestDatabase | undefined;
  afterEach(async () => {
    await testDb?.close();
    testDb = undefined;
  });

  /** A queued email claimed by a first worker whose lease then runs out, and claimed again by a second. */
  async function claimedTwice(expiresAtMs: number) {
    testDb = await openTestDatabase(dialect);
    const { db } = testDb;
    const outbox = new KyselyOutboxStore(db);
    await db
      .insertInto('outbox_messages')
      .values({
        id: 'm-1',
        recipient: 'anna@example.com',
        sealed_body: 'sealed',
        status: 'queued',
        attempts: 0,
        next_attempt_at: 0,
        lease_until: null,
        created_at: 0,
        expires_at: expiresAtMs,
        sent_at: null,
        updated_at: 0,
        last_error: null,
      })
      .execute();
    const [first] = await outbox.claimDue({ nowMs: 1_000, limit: 5, leaseMs: 60_000 });
    const [second] = await outbox.claimDue({ nowMs: 62_000, limit: 5, leaseMs: 60_000 });
    expect([first?.attempts, second?.attempts]).toEqual([1, 2]);
    return { db, outbox, store: new KyselyOtpStore(db) };
  }

  it('ends sent when the first send succeeds after the second worker found the code expired', async () => {
    const { db, outbox } = await claimedTwice(61_000);
    expect(
      await outbox.giveUpExpired('m-1', { nowMs: 62_000, claimedAttempts: 2, error: 'expired', sendWindowMs: 3_600_000 }),
    ).toBe(true);
    await outbox.markSent('m-1', 62_500);
    const [row] = await outboxRows(db);
    expect(row).toMatchObject({ status: 'sent', sealed_body: null });
    expect(Number(row?.sent_at)).toBe(62_500);
  });

  it('stays failed (its code withdrawn) when the second worker was refused for good', async () => {
    const { db, outbox, store } = await claimedTwice(600_000);
    const withdrawn = await store.withdrawUndeliveredCode({
      codeId: 'm-1',
      claimedAttempts: 2,
      error: '550',
      nowMs: 62_000,
      sendWindowMs: 3_600_000,
    });
    expect(withdrawn).toBe(true);
    await outbox.markSent('m-1', 62_500);
    const [row] = await outboxRows(db);
    expect(row).toMatchObject({ status: 'failed', sent_at: null });
  });
});
