import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { FormClient } from '../support/form-client.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp, testSecretKey } from '../support/test-app.js';
import { type HandDrivenWorker, handDrivenWorker } from '../support/worker-runtime.js';

const bin = fileURLToPath(new URL('../../bin/otp-app.js', import.meta.url));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `otp-app` bin as an operator would, beside a running app, on that app's database. */
function otpApp(args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd,
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? '', HOME: cwd, NODE_ENV: 'test', SECRET_KEY: testSecretKey, LOG_LEVEL: 'warn', ...env },
      },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}

// Each CLI run loads the app through tsx (seconds on a busy machine): a few runs per dialect, in one story.
describe.each(dialects)('otp-app suppression (%s)', { timeout: 120_000 }, (dialect) => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;
  let driven: HandDrivenWorker;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, OUTBOX_WORKER: 'off' }, dialect });
    driven = handDrivenWorker(testApp.runtime, { smtpUrl: smtp.url });
    const database = testApp.config.database;
    cliEnv = {
      DATA_DIR: testApp.dataDir,
      DATABASE_URL: database.kind === 'postgres' ? database.url : `sqlite:${database.file}`,
    };
  });

  afterAll(async () => {
    await driven?.close();
    await testApp?.close();
    await smtp?.close();
  });

  async function requestPage(email: string) {
    const browser = new FormClient(testApp.baseUrl);
    await browser.get('/secure-otp/request/');
    return browser.post('/secure-otp/request/', { email });
  }

  it('adds an address (every alias of its mailbox refused), lists it, and removes it: the address gets a code again', async () => {
    const added = await otpApp(['suppression', 'add', 'Anna+News@Example.com'], cliEnv, testApp.dataDir);
    expect(added, added.stderr).toMatchObject({ code: 0 });
    expect(added.stdout).toContain('Suppressed: anna+news@example.com (covers anna@example.com)  manual');
    expect((await requestPage('anna@example.com')).status).toBe(422);

    const listed = await otpApp(['suppression', 'list'], cliEnv, testApp.dataDir);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /^anna\+news@example\.com \(covers anna@example\.com\) {2}manual {2}since \S+ {2}until removed/m,
    );

    const removed = await otpApp(['suppression', 'remove', 'anna@example.com'], cliEnv, testApp.dataDir);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Removed: anna+news@example.com');
    const again = await requestPage('anna@example.com');
    expect(again.path).toBe('/secure-otp/verify/');
    expect(await driven.worker.drainOnce()).toBe(1);
    expect(smtp.envelopes.map((envelope) => envelope.to)).toEqual([['anna@example.com']]);

    const empty = await otpApp(['suppression', 'list'], cliEnv, testApp.dataDir);
    expect(empty.stdout.trim()).toBe('No address is suppressed.');
  });

  it('refuses a bad address or a wrong use with a clear message and exit code 2, changing nothing', async () => {
    const bad = await otpApp(['suppression', 'add', 'not an address\u001b[2J'], cliEnv, testApp.dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Not a valid email address: "not an address\\u001b[2J". Give one like name@example.com.');
    const missing = await otpApp(['suppression', 'remove'], cliEnv, testApp.dataDir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Usage: otp-app suppression list | suppression add ADDRESS');
    const help = await otpApp(['--help'], cliEnv, testApp.dataDir);
    expect(help.stdout).toContain('suppression list | add ADDRESS | remove ADDRESS');
    expect(await testApp.runtime.db.selectFrom('suppressions').selectAll().execute()).toEqual([]);
  });
});
