import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSmtpThreadTransport } from '../../src/mail/smtp-thread-transport.js';
import { createSmtpTransport } from '../../src/mail/smtp-transport.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { verifyDkim, withOneBodyCharacterChanged } from '../support/dkim-dns.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp } from '../support/test-app.js';

// One key for the file; its public half is "published" through the verifier's injected resolver.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publishedRecords = {
  'otp1._domainkey.example.com': `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
};
const dir = mkdtempSync(join(tmpdir(), 'otp-app-dkim-'));
const keyFile = join(dir, 'dkim.pem');
writeFileSync(keyFile, privateKeyPem, { mode: 0o600 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const distinctiveCode = '918273';
const fixedCode = { generate: (length: number) => distinctiveCode.slice(0, length) };

describe('DKIM signing of code emails', () => {
  const opened = closedAfterEach();

  it('signs the email the outbox sends through the thread transport; a real verifier passes it, aligned with From', async () => {
    const smtp = opened.add(await startSmtpTestServer());
    const testApp = opened.add(
      await startTestApp({
        env: {
          SMTP_URL: smtp.url,
          MAIL_FROM: 'otp-app <no-reply@mail.example.com>',
          DKIM_DOMAIN: 'example.com',
          DKIM_SELECTOR: 'otp1',
          DKIM_PRIVATE_KEY: keyFile,
        },
        codeGenerator: fixedCode,
      }),
    );
    expect((await testApp.runtime.service.request({ address: 'ada@example.org' })).ok).toBe(true);
    await smtp.waitForMessages(1, 30_000);
    const raw = smtp.rawMessages[0]!;

    const [signature, ...others] = await verifyDkim(raw, publishedRecords);
    expect(others).toEqual([]);
    expect(signature).toMatchObject({
      signingDomain: 'example.com',
      selector: 'otp1',
      status: { result: 'pass', aligned: 'example.com' },
    });
    // mailauth reports the canonicalization as `format` and what the signature covers as `signingHeaders`.
    expect(signature).toMatchObject({ format: 'relaxed/relaxed', signingHeaders: { keys: expect.any(String) } });
    const signedHeaders = (signature as unknown as { signingHeaders: { keys: string } }).signingHeaders.keys;
    for (const header of ['From', 'To', 'Subject', 'Date', 'Message-ID']) expect(signedHeaders).toContain(`${header}:`);

    // One character of the body changed on the way (here: the code itself): the signature no longer holds.
    const [tampered] = await verifyDkim(withOneBodyCharacterChanged(raw, distinctiveCode), publishedRecords);
    expect(tampered?.status.result).not.toBe('pass');
    expect(tampered?.status.comment).toMatch(/body hash/);
    // And the key matters: another published key does not verify the untouched message.
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' });
    const [wrongKey] = await verifyDkim(raw, {
      'otp1._domainkey.example.com': `v=DKIM1; k=rsa; p=${otherKey.toString('base64')}`,
    });
    expect(wrongKey?.status.result).not.toBe('pass');
    expect(testApp.logLines.join('\n')).not.toContain('BEGIN PRIVATE KEY');
  }, 60_000);

  it('leaves mail unsigned when DKIM is not configured', async () => {
    const smtp = opened.add(await startSmtpTestServer());
    const testApp = opened.add(await startTestApp({ env: { SMTP_URL: smtp.url } }));
    expect((await testApp.runtime.service.request({ address: 'ada@example.org' })).ok).toBe(true);
    const [mail] = await smtp.waitForMessages(1, 30_000);
    expect(mail?.headers.has('dkim-signature')).toBe(false);
  }, 60_000);

  it.each([
    ['createSmtpTransport', createSmtpTransport],
    ['createSmtpThreadTransport', createSmtpThreadTransport],
  ])('signs with %s as well', async (_, createTransport) => {
    const smtp = opened.add(await startSmtpTestServer());
    const transport = opened.add(
      createTransport({ smtpUrl: smtp.url, dkim: { domain: 'example.com', selector: 'otp1', privateKeyPem } }),
    );
    await transport.send({
      to: 'ada@example.org',
      from: 'otp-app <no-reply@example.com>',
      subject: 'Signed',
      text: 'A plain body.',
      html: '<p>A plain body.</p>',
    });
    await smtp.waitForMessages(1);
    const [signature] = await verifyDkim(smtp.rawMessages[0]!, publishedRecords);
    expect(signature?.status.result).toBe('pass');
  });
});
