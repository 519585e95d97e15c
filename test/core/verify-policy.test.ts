import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { VerifyOutcome } from '../../src/core/otp-outcome.js';
import type { OtpService } from '../../src/core/otp-service.js';
import { dialects } from '../support/dialects.js';
import { codesInOrder, destroyOpenDatabases, dropPostgresOfThisFile, makeServiceOn } from './otp-service-harness.js';

const anna = 'anna@example.com';
const code = '918273';
const wrongCode = '555555';

afterEach(destroyOpenDatabases);
afterAll(dropPostgresOfThisFile);

describe.each(dialects)('verify policy (%s)', (dialect) => {
  const makeService = makeServiceOn(dialect);

  /** A service where anna has just received `918273` for sign-in. */
  async function annaHasACode(context?: string) {
    const harness = await makeService({}, { codeGenerator: codesInOrder(code) });
    await harness.requestAndReceive({ address: anna, purpose: 'sign-in', ...(context === undefined ? {} : { context }) });
    return harness;
  }

  async function guessWrong(service: OtpService, times: number, address = anna): Promise<VerifyOutcome[]> {
    const outcomes: VerifyOutcome[] = [];
    for (let i = 0; i < times; i++) outcomes.push(await service.verify({ address, code: wrongCode }));
    return outcomes;
  }

  describe('verifying a code: success', () => {
    it('accepts the emailed code and names the address and purpose', async () => {
      const { service } = await annaHasACode();
      expect(await service.verify({ address: anna, code })).toEqual({ ok: true, address: anna, purpose: 'sign-in' });
    });

    it('accepts a code only once: the second use is a wrong code', async () => {
      const { service } = await annaHasACode();
      await service.verify({ address: anna, code });
      expect(await service.verify({ address: anna, code })).toEqual({ ok: false, reason: 'invalid_code', attemptsLeft: 4 });
    });

    it.each(['918 273', '918-273', ' 918273 ', '9 1 8 2 7 3'])('accepts the code pasted as %j', async (typed) => {
      const { service } = await annaHasACode();
      expect(await service.verify({ address: anna, code: typed })).toMatchObject({ ok: true });
    });

    it('accepts the right code after four wrong ones', async () => {
      const { service } = await annaHasACode();
      await guessWrong(service, 4);
      expect(await service.verify({ address: anna, code })).toMatchObject({ ok: true });
    });
  });

  describe('verifying a code: wrong attempts', () => {
    it('counts down attemptsLeft 4, 3, 2, 1 and locks on the fifth wrong code', async () => {
      const { service } = await annaHasACode();
      expect(await guessWrong(service, 5)).toEqual([
        { ok: false, reason: 'invalid_code', attemptsLeft: 4 },
        { ok: false, reason: 'invalid_code', attemptsLeft: 3 },
        { ok: false, reason: 'invalid_code', attemptsLeft: 2 },
        { ok: false, reason: 'invalid_code', attemptsLeft: 1 },
        { ok: false, reason: 'locked' },
      ]);
    });

    it('rejects the right code after five wrong attempts', async () => {
      const { service } = await annaHasACode();
      await guessWrong(service, 5);
      expect(await service.verify({ address: anna, code })).toEqual({ ok: false, reason: 'locked' });
    });

    it('answers an address with no live code exactly like an address with a wrong code', async () => {
      const { service } = await annaHasACode();
      const withCode = await guessWrong(service, 7, anna);
      const withoutCode = await guessWrong(service, 7, 'nobody-asked@example.com');
      expect(withoutCode).toEqual(withCode);
      expect(withCode.slice(0, 2)).toEqual([
        { ok: false, reason: 'invalid_code', attemptsLeft: 4 },
        { ok: false, reason: 'invalid_code', attemptsLeft: 3 },
      ]);
    });
  });

  describe('verifying a code: what does not count as an attempt', () => {
    it.each(['12345', '1234567', 'abcdef', '', '91827a', '９１８２７３'])('refuses %j as malformed_code', async (typed) => {
      const { service } = await annaHasACode();
      expect(await service.verify({ address: anna, code: typed })).toEqual({ ok: false, reason: 'malformed_code' });
    });

    it('spends no attempt on malformed codes', async () => {
      const { service } = await annaHasACode();
      for (let i = 0; i < 10; i++) await service.verify({ address: anna, code: 'abcdef' });
      expect(await service.verify({ address: anna, code: wrongCode })).toEqual({
        ok: false,
        reason: 'invalid_code',
        attemptsLeft: 4,
      });
      expect(await service.verify({ address: anna, code })).toMatchObject({ ok: true });
    });

    it('refuses an invalid address or purpose before looking at the code', async () => {
      const { service } = await annaHasACode();
      expect(await service.verify({ address: 'not an address', code })).toEqual({ ok: false, reason: 'invalid_email' });
      expect(await service.verify({ address: anna, code, purpose: 'delete-account' })).toEqual({
        ok: false,
        reason: 'invalid_purpose',
      });
      expect(await service.verify({ address: anna, code })).toMatchObject({ ok: true });
    });
  });

  describe('verifying a code: lifetime of 300 seconds', () => {
    it('accepts the code at 299 seconds', async () => {
      const { service, clock } = await annaHasACode();
      clock.advanceSeconds(299);
      expect(await service.verify({ address: anna, code })).toMatchObject({ ok: true });
    });

    it('rejects the code as expired at 301 seconds', async () => {
      const { service, clock } = await annaHasACode();
      clock.advanceSeconds(301);
      expect(await service.verify({ address: anna, code })).toEqual({ ok: false, reason: 'expired' });
    });
  });

  describe('verifying a code: what the code is bound to', () => {
    it('does not accept a sign-in code for confirm-action', async () => {
      const { service } = await annaHasACode();
      expect(await service.verify({ address: anna, code, purpose: 'confirm-action' })).toEqual({
        ok: false,
        reason: 'invalid_code',
        attemptsLeft: 4,
      });
      expect(await service.verify({ address: anna, code, purpose: 'sign-in' })).toMatchObject({ ok: true });
    });

    it('does not accept the code for another address', async () => {
      const { service } = await annaHasACode();
      expect(await service.verify({ address: 'ben@example.com', code })).toMatchObject({ ok: false, reason: 'invalid_code' });
    });

    it('rejects a code confirmed against another context', async () => {
      const { service } = await annaHasACode('Pay 120 EUR');
      expect(await service.verify({ address: anna, code, context: 'Pay 9120 EUR' })).toEqual({
        ok: false,
        reason: 'invalid_code',
        attemptsLeft: 4,
      });
      expect(await service.verify({ address: anna, code })).toEqual({ ok: false, reason: 'invalid_code', attemptsLeft: 3 });
    });

    it('accepts a code confirmed against the same context', async () => {
      const { service, delivered } = await annaHasACode('Pay 120 EUR');
      expect(delivered.emails[0]?.context).toBe('Pay 120 EUR');
      expect(await service.verify({ address: anna, code, context: 'Pay 120 EUR' })).toMatchObject({ ok: true });
    });
  });
});
