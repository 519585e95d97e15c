import { afterEach, describe, expect, it } from 'vitest';
import { isDomainDeferral, recipientDomain } from '../../src/mail/domain-pacing.js';
import { MailDeliveryError } from '../../src/mail/mail-delivery-error.js';
import { giveBackDomainSlot, reserveDomainSlot, slowDomainDown } from '../../src/store/domain-pacing.repository.js';
import { dialects } from '../support/dialects.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const nowMs = Date.UTC(2026, 10, 29, 12);
const slot = { domain: 'busy.example', nowMs, intervalMs: 1000, burstMs: 2000, latestSlotAtMs: nowMs + 3_600_000 };

describe.each(dialects)('domain pacing slots in the store (%s)', (dialect) => {
  let testDb: TestDatabase | undefined;
  afterEach(async () => {
    await testDb?.close();
    testDb = undefined;
  });

  it('gives 20 racing reservations 20 distinct slots: a burst of 3 now, then one a second', async () => {
    testDb = await openTestDatabase(dialect);
    const { db } = testDb;
    const slots = await Promise.all(Array.from({ length: 20 }, () => reserveDomainSlot(db, slot)));
    const offsets = slots.map((at) => at! - nowMs).sort((a, b) => a - b);
    expect(offsets).toEqual([0, 0, 0, ...Array.from({ length: 17 }, (_, i) => (i + 1) * 1000)]);
  });

  it('reserves nothing later than allowed, and gives a slot back', async () => {
    testDb = await openTestDatabase(dialect);
    const { db } = testDb;
    for (let i = 0; i < 5; i++) await reserveDomainSlot(db, slot);
    // Next would be +3 s: too late for a code that must go within 2.5 s.
    expect(await reserveDomainSlot(db, { ...slot, latestSlotAtMs: nowMs + 2500 })).toBeNull();
    await giveBackDomainSlot(db, { domain: slot.domain, nowMs, intervalMs: 1000 });
    expect(await reserveDomainSlot(db, { ...slot, latestSlotAtMs: nowMs + 2500 })).toBe(nowMs + 2000);
  });

  it('doubles the interval and drops the burst after a deferral, for the slow-down period only', async () => {
    testDb = await openTestDatabase(dialect);
    const { db } = testDb;
    const slow = { domain: slot.domain, intervalMs: 1000, slowedForMs: 600_000, maxSlowFactor: 16 };
    await slowDomainDown(db, { ...slow, nowMs });
    // Next slot two (slowed) intervals on, then 2 s apart.
    expect(await reserveDomainSlot(db, slot)).toBe(nowMs + 2000);
    expect(await reserveDomainSlot(db, slot)).toBe(nowMs + 4000);
    // A second deferral within the period: 4 s apart.
    await slowDomainDown(db, { ...slow, nowMs });
    const first = await reserveDomainSlot(db, slot);
    const second = await reserveDomainSlot(db, slot);
    expect(second! - first!).toBe(4000);
    // Ten minutes after the last deferral: back to the configured rate and burst.
    const later = { ...slot, nowMs: nowMs + 700_000, latestSlotAtMs: nowMs + 7_200_000 };
    expect(await reserveDomainSlot(db, later)).toBe(later.nowMs);
  });
});

describe('what counts as a deferral from a domain', () => {
  const failure = (responseCode: number | undefined, errorCode: string, text = 'refused') =>
    new MailDeliveryError(text, { ...(responseCode === undefined ? {} : { responseCode }), errorCode });

  it('is a 4xx or an enhanced 4.x.x in reply to RCPT TO or DATA; not a connection failure or a 5xx', () => {
    expect(isDomainDeferral(failure(451, 'EENVELOPE', '451 4.7.1 Greylisted'))).toBe(true);
    expect(isDomainDeferral(failure(421, 'EENVELOPE'))).toBe(true);
    expect(isDomainDeferral(failure(450, 'EMESSAGE'))).toBe(true);
    expect(isDomainDeferral(failure(undefined, 'EENVELOPE', 'Try again: 4.2.1 rate limited'))).toBe(true);
    expect(isDomainDeferral(failure(421, 'EPROTOCOL', '421 Too busy'))).toBe(false);
    expect(isDomainDeferral(failure(undefined, 'ECONNECTION'))).toBe(false);
    expect(isDomainDeferral(failure(550, 'EENVELOPE', '550 5.1.1 No such user'))).toBe(false);
    expect(isDomainDeferral(new Error('451'))).toBe(false);
  });

  it('paces by the part after the last @', () => {
    expect(recipientDomain('a@b@Mail.Example')).toBe('mail.example');
    expect(recipientDomain('anna@xn--bcher-kva.example')).toBe('xn--bcher-kva.example');
  });
});
