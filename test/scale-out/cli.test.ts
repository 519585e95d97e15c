import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { otpApp } from '../support/otp-app-cli.js';
import { createPostgresTestSchema, type PostgresTestSchema } from '../support/postgres-test-schema.js';
import { freePort } from '../support/server-process.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';

describe('the otp-app command line', { timeout: 60_000 }, () => {
  let workDir: string;
  let smtp: SmtpTestServer;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'otp-cli-'));
    smtp = await startSmtpTestServer({
      rejectRecipients: (address) => (address.startsWith('nobody@') ? { code: 550, message: 'No such user' } : undefined),
    });
  });

  afterAll(async () => {
    await smtp?.close();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  it('explains itself with --help and exits 0; an unknown command exits 2', async () => {
    const help = await otpApp(['--help'], {}, workDir);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'worker', 'migrate', 'purge', 'send-test-email', 'outbox'])
      expect(help.stdout).toContain(command);
    const unknown = await otpApp(['frobnicate'], {}, workDir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  });

  it('sends a test email through SMTP_URL end to end', async () => {
    const result = await otpApp(['send-test-email', '--to', 'ops@example.com'], { SMTP_URL: smtp.url }, workDir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [mail] = await smtp.waitForMessages(1);
    expect(smtp.envelopes[0]?.to).toEqual(['ops@example.com']);
    expect(mail?.subject).toContain('test email');
  });

  it('tests one transport of SMTP_URL with --transport N (1-based), and exits 2 for one out of range', async () => {
    const smtpUrl = `smtp://127.0.0.1:${await freePort()}, ${smtp.url}`;
    const before = smtp.messages.length;
    const second = await otpApp(
      ['send-test-email', '--to', 'ops@example.com', '--transport', '2'],
      { SMTP_URL: smtpUrl },
      workDir,
    );
    expect(second.stderr).toBe('');
    expect(second.stdout).toContain(`through transport 2 (127.0.0.1:${smtp.port})`);
    await smtp.waitForMessages(before + 1);
    const outOfRange = await otpApp(
      ['send-test-email', '--to', 'ops@example.com', '--transport', '3'],
      { SMTP_URL: smtpUrl },
      workDir,
    );
    expect(outOfRange.code).toBe(2);
    expect(outOfRange.stderr).toContain('--transport must be a number from 1 to 2');
  });

  it('exits 1 with the reason when the test email is refused or the server is unreachable', async () => {
    const refused = await otpApp(['send-test-email', '--to', 'nobody@example.com'], { SMTP_URL: smtp.url }, workDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Could not send the test email');
    const unreachable = await otpApp(
      ['send-test-email', '--to', 'ops@example.com'],
      { SMTP_URL: `smtp://127.0.0.1:${await freePort()}` },
      workDir,
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('Could not send the test email');
  });

  it('refuses send-test-email without an address (2) or without a real transport (1)', async () => {
    expect((await otpApp(['send-test-email'], { SMTP_URL: smtp.url }, workDir)).code).toBe(2);
    const devMailbox = await otpApp(['send-test-email', '--to', 'ops@example.com'], { DATA_DIR: join(workDir, 'dev') }, workDir);
    expect(devMailbox.code).toBe(1);
    expect(devMailbox.stderr).toContain('No mail transport is configured');
  });

  it('exits 1 with a clear message when the database cannot be reached', async () => {
    const result = await otpApp(['migrate'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/test` }, workDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot reach the database');
  });

  describe.each(dialects)('on %s', (dialect) => {
    let schema: PostgresTestSchema | undefined;
    let env: Record<string, string>;

    beforeAll(async () => {
      schema = dialect === 'postgres' ? await createPostgresTestSchema() : undefined;
      env =
        schema === undefined
          ? { DATA_DIR: mkdtempSync(join(workDir, 'sqlite-')) }
          : { DATABASE_URL: schema.url, DATA_DIR: workDir };
    });

    afterAll(async () => {
      await schema?.drop();
    });

    it('migrates, then finds nothing left to do', async () => {
      const first = await otpApp(['migrate'], env, workDir);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('Applied: 0001-initial, 0002-outbox');
      const second = await otpApp(['migrate'], env, workDir);
      expect(second.stdout).toContain('Database is up to date.');
    });

    it('reports the outbox as JSON and purges with AUTO_MIGRATE=false', async () => {
      const outbox = await otpApp(['outbox'], { ...env, AUTO_MIGRATE: 'false' }, workDir);
      expect(outbox.code).toBe(0);
      expect(JSON.parse(outbox.stdout)).toMatchObject({ queued: 0, sending: 0, sent: 0, oldestPendingAgeMs: null });
      const purge = await otpApp(['purge'], { ...env, AUTO_MIGRATE: 'false' }, workDir);
      expect(purge.code).toBe(0);
      expect(purge.stdout).toMatch(/^Deleted \d+ rows\.$/m);
    });
  });
});
