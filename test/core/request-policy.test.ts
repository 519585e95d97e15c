import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { codesInOrder, destroyOpenDatabases, dropPostgresOfThisFile, makeServiceOn } from './otp-service-harness.js';

const anna = 'anna@example.com';

afterEach(destroyOpenDatabases);
afterAll(dropPostgresOfThisFile);

describe.each(dialects)('request policy (%s)', (dialect) => {
  const makeService = makeServiceOn(dialect);

  describe('requesting a code: what is refused before anything is sent', () => {
    it.each([
      '',
      '   ',
      'anna',
      '@example.com',
      'anna@',
      'anna@example',
      'an na@example.com',
      'anna@@example.com',
      'anna@example..com',
    ])('refuses %j as invalid_email and sends nothing', async (address) => {
      const { service, delivered } = await makeService();
      expect(await service.request({ address })).toEqual({ ok: false, reason: 'invalid_email' });
      expect(delivered.emails).toHaveLength(0);
    });

    it('refuses a purpose outside the configured list as invalid_purpose', async () => {
      const { service, delivered } = await makeService();
      expect(await service.request({ address: anna, purpose: 'delete-account' })).toEqual({
        ok: false,
        reason: 'invalid_purpose',
      });
      expect(delivered.emails).toHaveLength(0);
    });

    it('scopes a request without a purpose to the first configured purpose', async () => {
      const { service, delivered, requestAndReceive } = await makeService({ purposes: ['verify-email', 'sign-in'] });
      const code = await requestAndReceive({ address: anna });
      expect(delivered.emails[0]?.purpose).toBe('verify-email');
      expect(await service.verify({ address: anna, code, purpose: 'verify-email' })).toMatchObject({ ok: true });
    });
  });

  describe('requesting a code: the code and its email', () => {
    it('queues a six-digit code, valid for 300 seconds, for the normalised address', async () => {
      const { service, clock, delivered, deliverOutbox } = await makeService();
      const outcome = await service.request({ address: anna, purpose: 'sign-in' });
      expect(outcome).toMatchObject({
        ok: true,
        address: anna,
        expiresAt: new Date(clock.ms + 300_000),
        resendAfter: new Date(clock.ms + 60_000),
      });
      expect(delivered.emails).toHaveLength(0);
      await deliverOutbox();
      expect(delivered.emails).toEqual([
        {
          to: anna,
          code: expect.stringMatching(/^[0-9]{6}$/),
          purpose: 'sign-in',
          expiresAtMs: clock.ms + 300_000,
          ttlSeconds: 300,
        },
      ]);
    });

    it('adds a one-time link only when the pages ask for one, and never to a code bound to a context', async () => {
      const { service, clock, delivered, deliverOutbox } = await makeService({ resendCooldownSeconds: 0 });
      await service.request({ address: anna, withLink: true });
      clock.advanceSeconds(1);
      await service.request({ address: 'ben@example.com', withLink: true, purpose: 'confirm-action', context: 'Pay 120 EUR' });
      await service.request({ address: 'cara@example.com' });
      await deliverOutbox();
      const linkOf = (to: string) => delivered.emails.find((email) => email.to === to)?.linkToken;
      // The link's token travels sealed with the code; only its hash is stored.
      expect(linkOf(anna)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(linkOf('ben@example.com')).toBeUndefined();
      expect(linkOf('cara@example.com')).toBeUndefined();
    });

    it('keeps a leading zero and accepts the code back with it', async () => {
      const { service, requestAndReceive } = await makeService({}, { codeGenerator: codesInOrder('012345') });
      expect(await requestAndReceive({ address: anna })).toBe('012345');
      expect(await service.verify({ address: anna, code: '012345' })).toEqual({ ok: true, address: anna, purpose: 'sign-in' });
    });

    it.each([6, 7, 8, 9, 10])('issues and accepts codes of the configured length %i', async (codeLength) => {
      const { service, requestAndReceive } = await makeService({ codeLength });
      const code = await requestAndReceive({ address: anna });
      expect(code).toMatch(new RegExp(`^[0-9]{${codeLength}}$`));
      expect(await service.verify({ address: anna, code: code.slice(1) })).toEqual({ ok: false, reason: 'malformed_code' });
      expect(await service.verify({ address: anna, code: `${code}0` })).toEqual({ ok: false, reason: 'malformed_code' });
      expect(await service.verify({ address: anna, code })).toMatchObject({ ok: true });
    });
  });

  describe('requesting a code: resend cooldown of 60 seconds per address and purpose', () => {
    it('refuses a second send within 60 seconds and says how long to wait', async () => {
      const { service, clock, delivered, deliverOutbox } = await makeService();
      await service.request({ address: anna, purpose: 'sign-in' });
      expect(await service.request({ address: anna, purpose: 'sign-in' })).toEqual({
        ok: false,
        reason: 'cooldown',
        retryAfterSeconds: 60,
      });
      clock.advanceSeconds(59);
      expect(await service.request({ address: anna, purpose: 'sign-in' })).toEqual({
        ok: false,
        reason: 'cooldown',
        retryAfterSeconds: 1,
      });
      await deliverOutbox();
      expect(delivered.emails).toHaveLength(1);
    });

    it('sends again once 60 seconds have passed', async () => {
      const { service, clock, delivered, deliverOutbox } = await makeService();
      await service.request({ address: anna, purpose: 'sign-in' });
      clock.advanceSeconds(60);
      expect(await service.request({ address: anna, purpose: 'sign-in' })).toMatchObject({ ok: true });
      await deliverOutbox();
      expect(delivered.emails).toHaveLength(2);
    });

    it('does not hold another purpose or another address in cooldown', async () => {
      const { service, delivered, deliverOutbox } = await makeService();
      await service.request({ address: anna, purpose: 'sign-in' });
      expect(await service.request({ address: anna, purpose: 'confirm-action' })).toMatchObject({ ok: true });
      expect(await service.request({ address: 'ben@example.com', purpose: 'sign-in' })).toMatchObject({ ok: true });
      await deliverOutbox();
      expect(delivered.emails).toHaveLength(3);
    });
  });

  describe('requesting a code: at most 5 sends per address per hour', () => {
    it('refuses the sixth send within the hour and says when the hour rolls', async () => {
      const { service, clock, delivered, deliverOutbox } = await makeService();
      for (let send = 0; send < 5; send++) {
        expect(await service.request({ address: anna })).toMatchObject({ ok: true });
        await deliverOutbox();
        clock.advanceSeconds(61);
      }
      // Five sends took 5 × 61 s, so the window that opened with the first closes 3600 − 305 s from now.
      expect(await service.request({ address: anna })).toEqual({ ok: false, reason: 'send_limit', retryAfterSeconds: 3295 });
      expect(delivered.emails).toHaveLength(5);
    });

    it('counts sends to one address across every purpose', async () => {
      const { service, clock } = await makeService();
      for (const purpose of ['sign-in', 'verify-email', 'confirm-action']) await service.request({ address: anna, purpose });
      clock.advanceSeconds(61);
      for (const purpose of ['sign-in', 'verify-email']) await service.request({ address: anna, purpose });
      clock.advanceSeconds(61);
      expect(await service.request({ address: anna, purpose: 'confirm-action' })).toMatchObject({
        ok: false,
        reason: 'send_limit',
      });
      expect(await service.request({ address: 'ben@example.com', purpose: 'confirm-action' })).toMatchObject({ ok: true });
    });

    it('sends again once the hour that held five sends has passed', async () => {
      const { service, clock, requestAndReceive } = await makeService();
      const start = clock.ms;
      for (let send = 0; send < 5; send++) {
        await service.request({ address: anna });
        clock.advanceSeconds(61);
      }
      expect(await service.request({ address: anna })).toMatchObject({ ok: false, reason: 'send_limit' });
      clock.ms = start + 3600_000;
      const code = await requestAndReceive({ address: anna });
      expect(await service.verify({ address: anna, code })).toMatchObject({ ok: true });
    });
  });

  describe('requesting a code: when the email cannot be delivered', () => {
    it('reports the email as failed when the mail server refuses it for good', async () => {
      const { service, delivered, deliverOutbox } = await makeService();
      delivered.failing = 'permanent';
      const outcome = await service.request({ address: anna });
      expect(outcome.ok && (await service.deliveryStatus(outcome.codeId))).toBe('queued');
      await deliverOutbox();
      expect(outcome.ok && (await service.deliveryStatus(outcome.codeId))).toBe('failed');
    });

    it('leaves a code whose email failed unusable', async () => {
      const { service, delivered, deliverOutbox } = await makeService({}, { codeGenerator: codesInOrder('918273') });
      delivered.failing = 'permanent';
      await service.request({ address: anna });
      await deliverOutbox();
      expect(await service.verify({ address: anna, code: '918273' })).toEqual({
        ok: false,
        reason: 'invalid_code',
        attemptsLeft: 4,
      });
    });

    it('lets the person ask again at once after a failed email, with no cooldown', async () => {
      const { service, delivered, deliverOutbox, requestAndReceive } = await makeService();
      delivered.failing = 'permanent';
      await service.request({ address: anna });
      await deliverOutbox();
      delivered.failing = false;
      const code = await requestAndReceive({ address: anna });
      expect(await service.verify({ address: anna, code })).toMatchObject({ ok: true });
    });

    it('does not count failed emails against the five-per-hour cap', async () => {
      const { service, clock, delivered, deliverOutbox } = await makeService();
      delivered.failing = 'permanent';
      for (let attempt = 0; attempt < 3; attempt++) {
        expect(await service.request({ address: anna })).toMatchObject({ ok: true });
        await deliverOutbox();
      }
      delivered.failing = false;
      for (let send = 0; send < 5; send++) {
        expect(await service.request({ address: anna })).toMatchObject({ ok: true });
        clock.advanceSeconds(61);
      }
      expect(await service.request({ address: anna })).toMatchObject({ ok: false, reason: 'send_limit' });
    });

    it('retries an email after a temporary refusal and the code then works', async () => {
      const { service, clock, delivered, deliverOutbox } = await makeService();
      delivered.failing = 'transient';
      const outcome = await service.request({ address: anna });
      await deliverOutbox();
      expect(outcome.ok && (await service.deliveryStatus(outcome.codeId))).toBe('queued');
      delivered.failing = false;
      clock.advanceSeconds(2);
      await deliverOutbox();
      expect(outcome.ok && (await service.deliveryStatus(outcome.codeId))).toBe('sent');
      expect(await service.verify({ address: anna, code: delivered.lastCode() })).toMatchObject({ ok: true });
    });

    it('keeps the earlier codes valid when a resend fails', async () => {
      const { service, clock, delivered, deliverOutbox } = await makeService(
        {},
        { codeGenerator: codesInOrder('918273', '364501', '720946') },
      );
      await service.request({ address: anna });
      clock.advanceSeconds(61);
      await service.request({ address: anna });
      await deliverOutbox();
      clock.advanceSeconds(61);
      delivered.failing = 'permanent';
      await service.request({ address: anna });
      await deliverOutbox();
      expect(await service.verify({ address: anna, code: '918273' })).toMatchObject({ ok: true });
    });
  });
});
