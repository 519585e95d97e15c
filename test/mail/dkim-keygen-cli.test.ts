import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSmtpTransport } from '../../src/mail/smtp-transport.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { verifyDkim } from '../support/dkim-dns.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';

const cli = fileURLToPath(new URL('../../src/cli/cli.ts', import.meta.url));

/** Runs `otp-app ...args` with no configuration at all, as an operator would before setting anything. */
function runCli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
}

describe('otp-app dkim-keygen', () => {
  const opened = closedAfterEach();

  // Starting the CLI loads the whole app through tsx; on a busy machine that takes a while.
  it('prints a 2048-bit RSA key that signs mail the printed DNS record verifies', async () => {
    const { status, stdout } = runCli('dkim-keygen', '--domain', 'Example.com', '--selector', 'otp1');
    expect(status).toBe(0);
    const privateKeyPem = /-----BEGIN PRIVATE KEY-----\n[\s\S]+?\n-----END PRIVATE KEY-----\n/.exec(stdout)?.[0];
    const record = /^(\S+) TXT "(v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+)"$/m.exec(stdout);
    expect(privateKeyPem).toBeDefined();
    expect(record?.[1]).toBe('otp1._domainkey.example.com');
    expect(stdout).toContain('DKIM_DOMAIN=example.com\nDKIM_SELECTOR=otp1\n');

    const smtp = opened.add(await startSmtpTestServer());
    const transport = opened.add(
      createSmtpTransport({
        smtpUrl: smtp.url,
        dkim: { domain: 'example.com', selector: 'otp1', privateKeyPem: privateKeyPem! },
      }),
    );
    await transport.send({
      to: 'ada@example.org',
      from: 'no-reply@example.com',
      subject: 'Signed with the printed key',
      text: 'Body.',
      html: '<p>Body.</p>',
    });
    await smtp.waitForMessages(1);
    const [signature] = await verifyDkim(smtp.rawMessages[0]!, { [record![1]!]: record![2]! });
    expect(signature?.status.result).toBe('pass');
    // RFC 8301: signers use 2048-bit RSA keys.
    const publicKey = createPublicKey({ key: Buffer.from(record![2]!.split('p=')[1]!, 'base64'), format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  }, 90_000);

  it('answers wrong usage with exit code 2 and the command line it wants', () => {
    const { status, stderr, stdout } = runCli('dkim-keygen', '--domain', 'example.com');
    expect(status).toBe(2);
    expect(stderr).toContain('otp-app dkim-keygen --domain example.com --selector otp1');
    expect(stdout).not.toContain('PRIVATE KEY');
  }, 90_000);
});
