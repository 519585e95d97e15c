import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DefenceEvent } from '../../src/abuse/defence-events.js';
import type { RequestOutcome } from '../../src/core/otp-outcome.js';
import { destroyOpenDatabases, dropPostgresOfThisFile, makeServiceOn, openAnotherHandle } from '../core/otp-service-harness.js';
import { dialects } from '../support/dialects.js';
import { inBatches } from './client-at.js';
import { screenFor } from './screen-wiring.js';

afterEach(destroyOpenDatabases);
afterAll(dropPostgresOfThisFile);

const reasons = (outcomes: RequestOutcome[]) => outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.reason));
const count = (outcomes: RequestOutcome[], reason: string) => reasons(outcomes).filter((r) => r === reason).length;

describe.each(dialects)('the per-recipient-domain request limit (%s)', (dialect) => {
  const makeService = makeServiceOn(dialect);

  it('caps 500 concurrent requests to distinct addresses at one company at OTP_DOMAIN_REQUEST_LIMIT, while a person elsewhere is served', async () => {
    const events: DefenceEvent[] = [];
    const { service, db, clock } = await makeService({}, { requestScreen: screenFor({}, events) });
    const addresses = Array.from({ length: 500 }, (_, i) => `employee-${i}@acme-corp.test`);
    let person: Promise<RequestOutcome> | undefined;
    const outcomes = await inBatches(addresses, 25, (address) => {
      if (address === 'employee-250@acme-corp.test') person = service.request({ address: 'anna@example.org' });
      return service.request({ address });
    });

    // The default OTP_DOMAIN_REQUEST_LIMIT: 100 an hour per company domain.
    expect(count(outcomes, 'ok')).toBe(100);
    expect(count(outcomes, 'domain_limit')).toBe(400);
    const refused = outcomes.find((outcome) => !outcome.ok);
    expect(refused).toMatchObject({ reason: 'domain_limit', domain: 'acme-corp.test' });
    const retryAfter = (refused as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect((await person!).ok).toBe(true);
    // Only the admitted requests queued an email.
    expect(await db.selectFrom('outbox_messages').select('id').execute()).toHaveLength(101);
    expect(events.filter((event) => event.type === 'abuse.domain_limited')).toHaveLength(400);

    // The hour over, the company's people are served again.
    clock.advanceSeconds(3600);
    expect((await service.request({ address: 'employee-0@acme-corp.test' })).ok).toBe(true);
  });

  it('gives a large mailbox provider OTP_LARGE_PROVIDER_REQUEST_LIMIT instead', async () => {
    const env = { OTP_DOMAIN_REQUEST_LIMIT: '3', OTP_LARGE_PROVIDER_REQUEST_LIMIT: '6' };
    const { service } = await makeService({}, { requestScreen: screenFor(env) });
    const gmail = [];
    const company = [];
    for (let i = 0; i < 8; i++) {
      gmail.push(await service.request({ address: `person${i}@gmail.com` }));
      company.push(await service.request({ address: `person${i}@acme-corp.test` }));
    }
    expect(reasons(gmail)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'domain_limit', 'domain_limit']);
    expect(count(company, 'ok')).toBe(3);
  });

  it('gives the count back when the request sends nothing (cooldown), so hammering one address cannot fill its domain for free', async () => {
    const { service } = await makeService({}, { requestScreen: screenFor({ OTP_DOMAIN_REQUEST_LIMIT: '3' }) });
    const hammering = [];
    for (let i = 0; i < 10; i++) hammering.push(await service.request({ address: 'ceo@acme-corp.test' }));
    expect(count(hammering, 'ok')).toBe(1);
    expect(count(hammering, 'cooldown')).toBe(9);
    // The two colleagues still get their codes; the fourth address is the one over the limit.
    expect((await service.request({ address: 'bob@acme-corp.test' })).ok).toBe(true);
    expect((await service.request({ address: 'carla@acme-corp.test' })).ok).toBe(true);
    expect(await service.request({ address: 'dave@acme-corp.test' })).toMatchObject({ ok: false, reason: 'domain_limit' });
  });

  it('does not count refused requests: the window ends when it would have, however hard it is pushed', async () => {
    const { service, clock } = await makeService({}, { requestScreen: screenFor({ OTP_DOMAIN_REQUEST_LIMIT: '2' }) });
    expect((await service.request({ address: 'a@acme-corp.test' })).ok).toBe(true);
    expect((await service.request({ address: 'b@acme-corp.test' })).ok).toBe(true);
    clock.advanceSeconds(1800);
    const pushing = await inBatches(
      Array.from({ length: 50 }, (_, i) => `push-${i}@acme-corp.test`),
      10,
      (address) => service.request({ address }),
    );
    expect(count(pushing, 'domain_limit')).toBe(50);
    expect(pushing[0]).toMatchObject({ retryAfterSeconds: 1800 });
    clock.advanceSeconds(1800);
    expect((await service.request({ address: 'c@acme-corp.test' })).ok).toBe(true);
  });

  // Two handles on one SQLite file in one process block each other (better-sqlite3 waits synchronously,
  // so the handle holding the lock never runs); on SQLite the count is one upsert in the one file, atomic
  // under its single writer, which the 500-request test above already races.
  it.skipIf(dialect === 'sqlite')('counts deployment-wide: two services on one database share the limit', async () => {
    const first = await makeService({}, { requestScreen: screenFor({ OTP_DOMAIN_REQUEST_LIMIT: '50' }) });
    const secondDb = openAnotherHandle(first.location);
    const second = await makeService(
      {},
      { db: secondDb, clock: first.clock, requestScreen: screenFor({ OTP_DOMAIN_REQUEST_LIMIT: '50' }) },
    );
    const addresses = Array.from({ length: 120 }, (_, i) => `staff-${i}@acme-corp.test`);
    const outcomes = await inBatches(addresses, 20, (address) =>
      (Number(address.split('-')[1]!.split('@')[0]) % 2 === 0 ? first : second).service.request({ address }),
    );
    expect(count(outcomes, 'ok')).toBe(50);
    expect(count(outcomes, 'domain_limit')).toBe(70);
  });
});
