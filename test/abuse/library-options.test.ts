import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOtpRuntime, type MailDomainResolver } from 'otp-app';
import pino from 'pino';
import { describe, expect, it } from 'vitest';

const noSuchDomain = () => Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
const mailDns: MailDomainResolver = {
  resolveMx: (domain) =>
    domain === 'no-mail.test' ? noSuchDomain() : Promise.resolve([{ exchange: `mx.${domain}`, priority: 10 }]),
  resolve4: noSuchDomain,
  resolve6: noSuchDomain,
};

describe('the abuse defences through the library (createOtpRuntime)', () => {
  it('screens code requests by the typed `abuse` options: domain limit, throw-away and mail-less domains', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'otp-app-abuse-library-'));
    const otp = await createOtpRuntime({
      secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
      production: false,
      dataDir,
      runWorker: false,
      logger: pino({ level: 'silent' }),
      abuse: { domainRequestLimit: 1, blockDisposableEmail: true, checkMx: true, mailDomainResolver: mailDns },
    });
    try {
      expect((await otp.service.request({ address: 'a@acme-corp.test' })).ok).toBe(true);
      expect(await otp.service.request({ address: 'b@acme-corp.test' })).toMatchObject({ ok: false, reason: 'domain_limit' });
      expect(await otp.service.request({ address: 'burner@mailinator.com' })).toEqual({
        ok: false,
        reason: 'disposable_address',
        domain: 'mailinator.com',
      });
      expect(await otp.service.request({ address: 'x@no-mail.test' })).toEqual({
        ok: false,
        reason: 'no_mail_domain',
        domain: 'no-mail.test',
      });
    } finally {
      await otp.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
