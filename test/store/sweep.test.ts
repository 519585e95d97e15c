import { afterEach, describe, expect, it } from 'vitest';
import type { OtpPolicy } from '../../src/core/otp-policy.js';
import type { OtpDatabase } from '../../src/store/database.js';
import { KyselySuccessVisitStore } from '../../src/store/success-visits.repository.js';
import { sweepOnce } from '../../src/store/sweeper.js';
import { codesInOrder, makeService, type Wiring } from '../core/otp-service-harness.js';
import { dialects } from '../support/dialects.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const hourMs = 3600_000;

async function codeStatusesByAddress(db: OtpDatabase): Promise<string[]> {
  const rows = await db
    .selectFrom('otp_codes')
    .innerJoin('otp_challenges', 'otp_challenges.id', 'otp_codes.challenge_id')
    .select(['otp_challenges.address', 'otp_codes.status'])
    .orderBy('otp_challenges.address')
    .orderBy('otp_codes.created_at')
    .execute();
  return rows.map((row) => `${row.address} ${row.status}`);
}

describe.each(dialects)('sweeping the store (%s)', (dialect) => {
  let testDb: TestDatabase | undefined;
  afterEach(async () => {
    await testDb?.close();
    testDb = undefined;
  });

  /** The service on a fresh database of this dialect, and one sweep of it at the fake clock's time. */
  async function makeSweptService(overrides: Partial<OtpPolicy> = {}, wiring: Wiring = {}) {
    testDb = await openTestDatabase(dialect);
    const harness = await makeService(overrides, { ...wiring, db: testDb.db });
    const sweep = (retentionMs: number) => sweepOnce(harness.db, harness.clock.ms, retentionMs);
    return { ...harness, sweep };
  }

  it('drops spent success visits once their flash is stale, and keeps the fresh ones spent', async () => {
    const { sweep, clock, db } = await makeSweptService();
    const visits = new KyselySuccessVisitStore(db);
    expect(await visits.spendSuccessVisit('stale', clock.ms + 60_000)).toBe(true);
    expect(await visits.spendSuccessVisit('fresh', clock.ms + 180_000)).toBe(true);
    clock.advanceSeconds(120);
    expect(await sweep(hourMs)).toBe(1);
    // The fresh one is still spent: a replay of its flash is still refused.
    expect(await visits.spendSuccessVisit('fresh', clock.ms + 180_000)).toBe(false);
    expect(await visits.spendSuccessVisit('stale', clock.ms + 60_000)).toBe(true);
  });

  it('deletes used, superseded and withdrawn codes at once, and keeps live ones usable', async () => {
    const harness = await makeSweptService(
      {},
      { codeGenerator: codesInOrder('100001', '200001', '300001', '100002', '100003', '400001') },
    );
    const { service, sweep, clock, db, delivered, deliverOutbox, requestAndReceive } = harness;
    await requestAndReceive({ address: 'anna@example.com' });
    const benCode = await requestAndReceive({ address: 'ben@example.com' });
    await service.verify({ address: 'ben@example.com', code: benCode });
    delivered.failing = 'permanent';
    await service.request({ address: 'cara@example.com' });
    await deliverOutbox();
    delivered.failing = false;
    clock.advanceSeconds(61);
    await requestAndReceive({ address: 'anna@example.com' });
    clock.advanceSeconds(61);
    await requestAndReceive({ address: 'anna@example.com' });
    await requestAndReceive({ address: 'dan@example.com' });
    expect(await codeStatusesByAddress(db)).toEqual([
      'anna@example.com superseded',
      'anna@example.com live',
      'anna@example.com live',
      'ben@example.com used',
      'cara@example.com withdrawn',
      'dan@example.com live',
    ]);

    expect(await sweep(hourMs)).toBe(3);
    expect(await codeStatusesByAddress(db)).toEqual(['anna@example.com live', 'anna@example.com live', 'dan@example.com live']);
    expect(await service.verify({ address: 'anna@example.com', code: '100002' })).toMatchObject({ ok: true });
    expect(await service.verify({ address: 'dan@example.com', code: '400001' })).toMatchObject({ ok: true });
  });

  it('keeps an expired code until the retention has passed, then deletes it', async () => {
    const { service, sweep, clock, db, requestAndReceive } = await makeSweptService();
    const code = await requestAndReceive({ address: 'anna@example.com' });
    clock.advanceSeconds(301);
    await sweep(hourMs);
    expect(await service.verify({ address: 'anna@example.com', code })).toEqual({ ok: false, reason: 'expired' });
    clock.advanceSeconds(3599);
    await sweep(hourMs);
    expect(await db.selectFrom('otp_codes').select('id').execute()).toHaveLength(0);
  });

  it('deletes a challenge with no codes once it has been idle for the retention', async () => {
    const { service, sweep, clock, db } = await makeSweptService();
    await service.verify({ address: 'nobody-asked@example.com', code: '555555' });
    clock.advanceSeconds(3599);
    await sweep(hourMs);
    expect(await db.selectFrom('otp_challenges').select('address').execute()).toEqual([{ address: 'nobody-asked@example.com' }]);
    clock.advanceSeconds(1);
    await sweep(hourMs);
    expect(await db.selectFrom('otp_challenges').select('address').execute()).toEqual([]);
  });

  it('keeps a challenge that still has a live code, however long it has been idle', async () => {
    const { sweep, clock, db, requestAndReceive } = await makeSweptService();
    await requestAndReceive({ address: 'anna@example.com' });
    clock.advanceSeconds(120);
    await sweep(60_000);
    expect(await db.selectFrom('otp_challenges').select('address').execute()).toEqual([{ address: 'anna@example.com' }]);
    expect(await db.selectFrom('otp_codes').select('status').execute()).toEqual([{ status: 'live' }]);
  });

  it('deletes rate windows that started longer ago than the retention', async () => {
    const { service, sweep, clock, db } = await makeSweptService();
    await service.request({ address: 'anna@example.com' });
    await service.verify({ address: 'anna@example.com', code: '555555' });
    clock.advanceSeconds(3599);
    await sweep(hourMs);
    expect(await db.selectFrom('rate_windows').select('key').orderBy('key').execute()).toEqual([
      { key: 'cooldown:sign-in::anna@example.com' },
      { key: 'send-day:anna@example.com' },
      { key: 'send:anna@example.com' },
    ]);
    clock.advanceSeconds(1);
    await sweep(hourMs);
    expect(await db.selectFrom('rate_windows').select('key').execute()).toEqual([]);
  });

  it('deletes finished emails from the outbox after the retention, never queued ones', async () => {
    const { service, sweep, clock, db, deliverOutbox } = await makeSweptService();
    await service.request({ address: 'anna@example.com' });
    await deliverOutbox();
    await service.request({ address: 'ben@example.com' });
    clock.advanceSeconds(3600);
    await sweep(hourMs);
    expect(await db.selectFrom('outbox_messages').select(['recipient', 'status']).execute()).toEqual([
      { recipient: 'ben@example.com', status: 'queued' },
    ]);
  });
});
