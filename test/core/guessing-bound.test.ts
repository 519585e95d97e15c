import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CodeHasher } from '../../src/core/code-hash.js';
import { defaultOtpPolicy } from '../../src/core/otp-policy.js';
import type { OtpService } from '../../src/core/otp-service.js';
import { dialects } from '../support/dialects.js';
import { destroyOpenDatabases, dropPostgresOfThisFile, makeServiceOn } from './otp-service-harness.js';

// Issue 12 §1 at the defaults: a stranger who knows the address but cannot read the mailbox.
const anna = 'anna.owner@gmail.com';
// Every way to name Anna's mailbox: the exact address, a +tag, dots, the other Gmail domain.
const variants = [anna, 'anna.owner+shop@gmail.com', 'annaowner@gmail.com', 'a.n.n.a.owner@googlemail.com'];
const purposes = defaultOtpPolicy.purposes;
const wrongCode = '555555';
const dayMs = 86_400_000;

afterEach(() => {
  vi.restoreAllMocks();
  return destroyOpenDatabases();
});
afterAll(dropPostgresOfThisFile);

/** Counts every comparison of a typed code with a real code (decoys have no key id). */
function countComparisonsWithRealCodes(): { count: number } {
  const compared = { count: 0 };
  const original = CodeHasher.prototype.firstMatch;
  vi.spyOn(CodeHasher.prototype, 'firstMatch').mockImplementation(function (this: CodeHasher, binding, code, digests) {
    compared.count += digests.filter((digest) => digest.keyId !== '').length;
    return original.call(this, binding, code, digests);
  });
  return compared;
}

/**
 * One round of everything the stranger can do: ask for a code in a fresh flow for every purpose and
 * variant, guess in it until its budget is gone, and guess in flows that never asked (the pages without
 * a cookie, other API keys) and in the shared flow of library callers.
 */
async function strangerRound(service: OtpService, round: number): Promise<void> {
  const guesses: Promise<unknown>[] = [];
  for (const purpose of purposes) {
    for (const [index, address] of variants.entries()) {
      const flow = `stranger ${round} ${purpose} ${index}`;
      const sent = await service.request({ address, purpose, flow });
      for (let i = 0; i < (sent.ok ? 6 : 1); i++) guesses.push(service.verify({ address, purpose, code: wrongCode, flow }));
      guesses.push(service.verify({ address, purpose, code: wrongCode, flow: `no request ${round}` }));
      guesses.push(service.verify({ address, purpose, code: wrongCode }));
    }
  }
  await Promise.all(guesses);
}

describe.each(dialects)('a stranger guessing at the defaults (%s)', (dialect) => {
  const makeService = makeServiceOn(dialect);

  it('compares at most 100 guesses a day with real codes: a chance of at most 100 / 10^6 = 10^-4', {
    timeout: 120_000,
  }, async () => {
    const { service, clock, db } = await makeService();
    const compared = countComparisonsWithRealCodes();
    const perDay: number[] = [];
    // Two days, a round every half hour (the hourly cap lets five sends through, so each hour is spent): any 24 hours overlap at most two daily windows.
    for (let day = 0; day < 2; day++) {
      const before = compared.count;
      for (let round = 0; round < 48; round++) {
        await strangerRound(service, day * 48 + round);
        clock.advanceSeconds(1800);
      }
      perDay.push(compared.count - before);
    }
    // Every code is an email the owner sees: ten a day, whichever variant, purpose or flow asked.
    const emails = await db.selectFrom('outbox_messages').select('recipient').execute();
    expect(emails.length).toBe(2 * defaultOtpPolicy.dailySendLimit);
    for (const comparisons of perDay) {
      expect(comparisons).toBeLessThanOrEqual(defaultOtpPolicy.dailySendLimit * defaultOtpPolicy.maxAttemptsPerCode);
    }
    // Any 24 hours: at most two windows' worth, 100 comparisons, each a 1-in-10^6 chance.
    expect((perDay[0]! + perDay[1]!) / 10 ** defaultOtpPolicy.codeLength).toBeLessThanOrEqual(1e-4);
  });

  it('cannot stop the owner, who has just received an email, from verifying the code in her browser', async () => {
    const { service, clock, delivered, deliverOutbox } = await makeService();
    const ownerFlow = "the owner's browser";
    const sent = await service.request({ address: anna, flow: ownerFlow, withLink: true });
    expect(sent.ok).toBe(true);
    await deliverOutbox();
    const code = delivered.lastCode();
    clock.advanceSeconds(30);
    // The stranger attacks while the email travels, then keeps on beside the owner's verify.
    await strangerRound(service, 0);
    await strangerRound(service, 3);
    const [, , owner] = await Promise.all([
      strangerRound(service, 1),
      strangerRound(service, 2),
      service.verify({ address: anna, code, flow: ownerFlow }),
    ]);
    expect(owner).toEqual({ ok: true, address: anna, purpose: 'sign-in' });
  });

  it('cannot stop the owner with the emailed link, even once the mailbox reached its limit of wrong guesses', {
    timeout: 120_000,
  }, async () => {
    const { service, clock, delivered, deliverOutbox, db } = await makeService();
    // Days of attack, until typed codes stop for the mailbox (100 wrong in a row).
    const attackEndsMs = clock.ms + 3 * dayMs;
    for (let round = 0; clock.ms < attackEndsMs; round++) {
      await strangerRound(service, round);
      clock.advanceSeconds(1800);
    }
    const failures = await db.selectFrom('address_failures').select('failures').execute();
    expect(failures).toEqual([{ failures: defaultOtpPolicy.addressFailureLimit }]);
    clock.advanceSeconds(dayMs / 1000);
    const ownerFlow = "the owner's browser";
    expect(await service.request({ address: anna, flow: ownerFlow, withLink: true })).toMatchObject({ ok: true });
    await deliverOutbox();
    const email = delivered.emails.at(-1)!;
    expect(email.to).toBe(anna);
    const [typed] = await Promise.all([
      service.verify({ address: anna, code: email.code, flow: ownerFlow }),
      strangerRound(service, 1000),
    ]);
    expect(typed).toMatchObject({ ok: false, reason: 'paused' });
    const [linked] = await Promise.all([service.verifyLink({ token: email.linkToken! }), strangerRound(service, 1001)]);
    expect(linked).toEqual({ ok: true, address: anna, purpose: 'sign-in' });
    // The success starts the count over: the owner's next typed code works again (after the hour the
    // stranger's sends filled: the send cap is the one thing they can still spend, in plain sight).
    await deliverOutbox();
    clock.advanceSeconds(3600);
    expect(await service.request({ address: anna, flow: ownerFlow })).toMatchObject({ ok: true });
    await deliverOutbox();
    expect(await service.verify({ address: anna, code: delivered.lastCode(), flow: ownerFlow })).toMatchObject({ ok: true });
  });
});
