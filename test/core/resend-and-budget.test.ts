import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { VerifyOutcome } from '../../src/core/otp-outcome.js';
import type { OtpService } from '../../src/core/otp-service.js';
import { codesToSupersede } from '../../src/store/kysely-otp-store.js';
import { dialects } from '../support/dialects.js';
import { codesInOrder, destroyOpenDatabases, dropPostgresOfThisFile, makeServiceOn } from './otp-service-harness.js';

const anna = 'anna@example.com';
const [first, second, third] = ['918273', '364501', '720946'] as const;
const wrongCode = '555555';

afterEach(destroyOpenDatabases);
afterAll(dropPostgresOfThisFile);

describe.each(dialects)('resend and budget (%s)', (dialect) => {
  const makeService = makeServiceOn(dialect);

  /** Anna asks for a code, and asks again after the 60-second cooldown: two emails, two codes. */
  async function annaAskedTwice() {
    const harness = await makeService({}, { codeGenerator: codesInOrder(first, second, third) });
    await harness.requestAndReceive({ address: anna });
    harness.clock.advanceSeconds(61);
    await harness.requestAndReceive({ address: anna });
    return harness;
  }

  async function guessWrong(service: OtpService, times: number, purpose = 'sign-in'): Promise<VerifyOutcome[]> {
    const outcomes: VerifyOutcome[] = [];
    for (let i = 0; i < times; i++) outcomes.push(await service.verify({ address: anna, code: wrongCode, purpose }));
    return outcomes;
  }

  describe('resending a code', () => {
    it('keeps the first code valid after a resend', async () => {
      const { service } = await annaAskedTwice();
      expect(await service.verify({ address: anna, code: first })).toMatchObject({ ok: true });
    });

    it('accepts the resent code too', async () => {
      const { service } = await annaAskedTwice();
      expect(await service.verify({ address: anna, code: second })).toMatchObject({ ok: true });
    });

    it('burns the other code when one of the two succeeds', async () => {
      const { service, db } = await annaAskedTwice();
      await service.verify({ address: anna, code: second });
      expect(await service.verify({ address: anna, code: first })).toEqual({
        ok: false,
        reason: 'invalid_code',
        attemptsLeft: 4,
      });
      const statuses = await db.selectFrom('otp_codes').select('status').orderBy('created_at').execute();
      expect(statuses.map((row) => row.status)).toEqual(['superseded', 'used']);
    });

    it.each([
      ['the first code is superseded', first, { ok: false, reason: 'invalid_code', attemptsLeft: 4 }],
      ['the second code still works', second, { ok: true, address: anna, purpose: 'sign-in' }],
      ['the third code works', third, { ok: true, address: anna, purpose: 'sign-in' }],
    ])('keeps at most two codes alive after a third send: %s', async (_, typed, expected) => {
      const harness = await annaAskedTwice();
      harness.clock.advanceSeconds(61);
      await harness.requestAndReceive({ address: anna });
      expect(await harness.service.verify({ address: anna, code: typed })).toEqual(expected);
    });
  });

  describe('one attempt budget shared by live codes', () => {
    it('does not refill the budget on resend: three wrong before and two after lock both codes', async () => {
      const harness = await makeService({}, { codeGenerator: codesInOrder(first, second) });
      await harness.requestAndReceive({ address: anna });
      await guessWrong(harness.service, 3);
      harness.clock.advanceSeconds(61);
      await harness.requestAndReceive({ address: anna });
      expect(await guessWrong(harness.service, 2)).toEqual([
        { ok: false, reason: 'invalid_code', attemptsLeft: 1 },
        { ok: false, reason: 'locked' },
      ]);
      expect(await harness.service.verify({ address: anna, code: first })).toEqual({ ok: false, reason: 'locked' });
      expect(await harness.service.verify({ address: anna, code: second })).toEqual({ ok: false, reason: 'locked' });
    });

    it('starts a fresh budget with a new request after a lock', async () => {
      const harness = await makeService({}, { codeGenerator: codesInOrder(first, second) });
      await harness.requestAndReceive({ address: anna });
      await guessWrong(harness.service, 5);
      harness.clock.advanceSeconds(61);
      await harness.requestAndReceive({ address: anna });
      expect(await guessWrong(harness.service, 1)).toEqual([{ ok: false, reason: 'invalid_code', attemptsLeft: 4 }]);
      expect(await harness.service.verify({ address: anna, code: first })).toMatchObject({ ok: false, reason: 'invalid_code' });
      expect(await harness.service.verify({ address: anna, code: second })).toMatchObject({ ok: true });
    });
  });

  describe('wrong attempts in a row per mailbox, across codes and purposes', () => {
    /** Anna has a live code for each purpose; a stranger (who cannot read her mail) guesses at all three. */
    async function annaHasCodesForEveryPurpose(overrides = {}) {
      const harness = await makeService({ addressFailureLimit: 10, ...overrides });
      for (const purpose of ['sign-in', 'confirm-action', 'verify-email'])
        await harness.requestAndReceive({ address: anna, purpose });
      return harness;
    }

    /** 4 wrong for sign-in, 4 for confirm-action, then 2 for verify-email: the tenth reaches the limit. */
    async function tenWrongAcrossPurposes(service: OtpService): Promise<VerifyOutcome[]> {
      return [
        ...(await guessWrong(service, 4, 'sign-in')),
        ...(await guessWrong(service, 4, 'confirm-action')),
        ...(await guessWrong(service, 2, 'verify-email')),
      ];
    }

    it('stops typed codes for the mailbox after ten wrong attempts in a row, and says for how long', async () => {
      const { service } = await annaHasCodesForEveryPurpose();
      const outcomes = await tenWrongAcrossPurposes(service);
      expect(outcomes.slice(-2)).toEqual([
        { ok: false, reason: 'invalid_code', attemptsLeft: 4 },
        { ok: false, reason: 'invalid_code', attemptsLeft: 3 },
      ]);
      expect(await guessWrong(service, 1, 'verify-email')).toEqual([
        { ok: false, reason: 'paused', retryAfterSeconds: 30 * 86_400 },
      ]);
    });

    it('refuses even the right code once the limit is reached, and counts the wait down', async () => {
      const harness = await annaHasCodesForEveryPurpose();
      await tenWrongAcrossPurposes(harness.service);
      harness.clock.advanceSeconds(200);
      const code = harness.delivered.emails.find((email) => email.purpose === 'verify-email')!.code;
      expect(await harness.service.verify({ address: anna, code, purpose: 'verify-email' })).toEqual({
        ok: false,
        reason: 'paused',
        retryAfterSeconds: 30 * 86_400 - 200,
      });
    });

    it('does not refill with the hour: only the long window starts the count over', async () => {
      const harness = await annaHasCodesForEveryPurpose({ codeTtlSeconds: 86_400 });
      await tenWrongAcrossPurposes(harness.service);
      harness.clock.advanceSeconds(3600);
      expect(await guessWrong(harness.service, 1, 'verify-email')).toEqual([
        { ok: false, reason: 'paused', retryAfterSeconds: 30 * 86_400 - 3600 },
      ]);
      harness.clock.advanceSeconds(30 * 86_400 - 3600);
      const code = await harness.requestAndReceive({ address: anna });
      expect(await harness.service.verify({ address: anna, code })).toMatchObject({ ok: true });
    });

    it('does not count guesses that meet no code: an address nobody asked a code for is never paused', async () => {
      const harness = await makeService({ addressFailureLimit: 3 });
      for (const purpose of ['sign-in', 'confirm-action', 'verify-email']) await guessWrong(harness.service, 5, purpose);
      expect(await harness.db.selectFrom('address_failures').selectAll().execute()).toEqual([]);
      const code = await harness.requestAndReceive({ address: anna, purpose: 'verify-email' });
      expect(await harness.service.verify({ address: anna, code, purpose: 'verify-email' })).toMatchObject({ ok: true });
    });

    it('does not pause another address', async () => {
      const harness = await annaHasCodesForEveryPurpose();
      await tenWrongAcrossPurposes(harness.service);
      const code = await harness.requestAndReceive({ address: 'ben@example.com' });
      expect(await harness.service.verify({ address: 'ben@example.com', code })).toMatchObject({ ok: true });
    });

    it('starts the count over at a success', async () => {
      const harness = await annaHasCodesForEveryPurpose();
      await guessWrong(harness.service, 4, 'sign-in');
      await guessWrong(harness.service, 4, 'confirm-action');
      const code = harness.delivered.emails.find((email) => email.purpose === 'verify-email')!.code;
      expect(await harness.service.verify({ address: anna, code, purpose: 'verify-email' })).toMatchObject({ ok: true });
      harness.clock.advanceSeconds(61);
      await harness.requestAndReceive({ address: anna, purpose: 'verify-email' });
      // 8 before the success and 4 after: without the reset the last two would meet a stopped mailbox.
      expect(await guessWrong(harness.service, 4, 'verify-email')).toEqual(
        [4, 3, 2, 1].map((attemptsLeft) => ({ ok: false, reason: 'invalid_code', attemptsLeft })),
      );
    });
  });
});

describe('codesToSupersede (which live codes a new one replaces)', () => {
  const code = (id: string, generation: number, createdAt: number, expiresAt: number) => ({
    id,
    generation,
    created_at: createdAt,
    expires_at: expiresAt,
  });

  it('keeps the newest unexpired codes of the current generation and replaces everything else', () => {
    const live = [
      code('old-generation', 1, 50, 1000),
      code('expired', 2, 60, 90),
      code('older', 2, 70, 1000),
      code('newest', 2, 80, 1000),
      code('b-same-time', 2, 75, 1000),
      code('a-same-time', 2, 75, 1000),
    ];
    expect(codesToSupersede(live, { generation: 2, nowMs: 100, keep: 2 }).sort()).toEqual(
      ['b-same-time', 'expired', 'old-generation', 'older'].sort(),
    );
    expect(codesToSupersede(live, { generation: 2, nowMs: 100, keep: 0 })).toHaveLength(live.length);
    expect(codesToSupersede([], { generation: 1, nowMs: 100, keep: 2 })).toEqual([]);
  });
});
