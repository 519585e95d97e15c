import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { codesInOrder, destroyOpenDatabases, dropPostgresOfThisFile, makeServiceOn } from './otp-service-harness.js';

const code = '918273';

afterEach(destroyOpenDatabases);
afterAll(dropPostgresOfThisFile);

describe.each(dialects)('address normalisation (%s)', (dialect) => {
  const makeService = makeServiceOn(dialect);

  describe('address normalisation', () => {
    it('trims, lower-cases the domain and turns an international domain into punycode', async () => {
      const { service, delivered, deliverOutbox } = await makeService({}, { codeGenerator: codesInOrder(code) });
      expect(await service.request({ address: ' Anna@Bücher.Example ' })).toMatchObject({
        ok: true,
        address: 'anna@xn--bcher-kva.example',
      });
      await deliverOutbox();
      expect(delivered.emails[0]?.to).toBe('anna@xn--bcher-kva.example');
    });

    it.each(['Anna@xn--bcher-kva.example', 'Anna@BÜCHER.EXAMPLE', '  Anna@bücher.example\t'])(
      'verifies a code requested for " Anna@Bücher.Example " when typed back as %j',
      async (typed) => {
        const { service, requestAndReceive } = await makeService({}, { codeGenerator: codesInOrder(code) });
        await requestAndReceive({ address: ' Anna@Bücher.Example ' });
        expect(await service.verify({ address: typed, code })).toEqual({
          ok: true,
          address: 'anna@xn--bcher-kva.example',
          purpose: 'sign-in',
        });
      },
    );

    it('treats Anna@ and anna@ as one mailbox, so case variants share one cooldown and one budget', async () => {
      const { service, requestAndReceive } = await makeService({}, { codeGenerator: codesInOrder(code, '555555') });
      await requestAndReceive({ address: 'Anna@example.com' });
      expect(await service.request({ address: 'ANNA@example.com' })).toMatchObject({ ok: false, reason: 'cooldown' });
      expect(await service.verify({ address: 'aNNa@example.com', code })).toEqual({
        ok: true,
        address: 'anna@example.com',
        purpose: 'sign-in',
      });
    });

    it('refuses a local part longer than 64 characters and an address longer than 254', async () => {
      const { service } = await makeService();
      expect(await service.request({ address: `${'a'.repeat(65)}@example.com` })).toEqual({ ok: false, reason: 'invalid_email' });
      const longDomain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`;
      expect(await service.request({ address: `${'a'.repeat(64)}@${longDomain}` })).toEqual({
        ok: false,
        reason: 'invalid_email',
      });
      expect(await service.request({ address: `${'a'.repeat(58)}@${longDomain}` })).toMatchObject({ ok: true });
    });
  });

  describe('addresses that could smuggle a mail header', () => {
    // An address is copied into the To header; a CR or LF inside it must never get that far.
    it.each([
      'anna\r\n@example.com',
      'an\nna@example.com',
      'anna@example.com\r\nBcc: eve@example.org',
      'anna@example.com\nBcc:eve@example.org',
      'anna@exa\r\nmple.com',
      'anna@exa\nmple.com',
      'anna@example\r.com',
    ])('refuses %j on request and on verify', async (address) => {
      const { service, delivered, deliverOutbox } = await makeService();
      expect(await service.request({ address })).toEqual({ ok: false, reason: 'invalid_email' });
      expect(await service.verify({ address, code })).toEqual({ ok: false, reason: 'invalid_email' });
      await deliverOutbox();
      expect(delivered.emails).toHaveLength(0);
    });

    it('never lets a CR or LF reach the recipient of a queued email', async () => {
      const { service, db } = await makeService();
      for (const address of ['anna@exa\r\nmple.com', 'anna@example.com\r\n', '\nanna@example.com'])
        await service.request({ address });
      const recipients = await db.selectFrom('outbox_messages').select('recipient').execute();
      for (const { recipient } of recipients) expect(recipient).not.toMatch(/[\r\n]/);
    });
  });
});
