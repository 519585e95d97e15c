import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { FormClient } from '../support/form-client.js';
import { otpApp } from '../support/otp-app-cli.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type HandDrivenWorker, handDrivenWorker } from '../support/worker-runtime.js';

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

  it('adds an address (at Gmail, every alias of its inbox refused), lists it, and removes it: the address gets a code again', async () => {
    const added = await otpApp(['suppression', 'add', 'A.nna+News@Gmail.com'], cliEnv, testApp.dataDir);
    expect(added, added.stderr).toMatchObject({ code: 0 });
    expect(added.stdout).toContain('Suppressed: a.nna+news@gmail.com (covers anna@gmail.com)  manual');
    expect((await requestPage('anna@gmail.com')).status).toBe(422);
    // At any other provider an entry is the exact address: a +tag there may be no mailbox at all.
    await otpApp(['suppression', 'add', 'bob+news@example.com'], cliEnv, testApp.dataDir);
    expect((await requestPage('bob+news@example.com')).status).toBe(422);

    const listed = await otpApp(['suppression', 'list'], cliEnv, testApp.dataDir);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^a\.nna\+news@gmail\.com \(covers anna@gmail\.com\) {2}manual {2}since \S+ {2}until removed/m);

    const removed = await otpApp(['suppression', 'remove', 'anna@gmail.com'], cliEnv, testApp.dataDir);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Removed: a.nna+news@gmail.com');
    const again = await requestPage('anna@gmail.com');
    expect(again.path).toBe('/secure-otp/verify/');
    expect(await driven.worker.drainOnce()).toBe(1);
    expect(smtp.envelopes.map((envelope) => envelope.to)).toEqual([['anna@gmail.com']]);

    expect((await otpApp(['suppression', 'remove', 'bob+news@example.com'], cliEnv, testApp.dataDir)).code).toBe(0);
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
