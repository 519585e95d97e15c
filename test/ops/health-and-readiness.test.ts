import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('/healthz and /readyz', () => {
  let testApp: TestApp | undefined;
  let smtp: SmtpTestServer | undefined;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
    testApp = undefined;
    smtp = undefined;
  });

  it('answers /healthz while the process is up', async () => {
    testApp = await startTestApp();
    const response = await fetch(`${testApp.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it.each(dialects)(
    'is ready with a reachable, migrated database (%s) and reports the verified SMTP transport',
    async (dialect) => {
      smtp = await startSmtpTestServer();
      testApp = await startTestApp({ dialect, env: { SMTP_URL: smtp.url } });
      await expect.poll(() => testApp!.runtime.mailCheck.state.status).toBe('ok');
      const response = await fetch(`${testApp.baseUrl}/readyz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        status: 'ready',
        database: 'ok',
        migrations: 'current',
        mail: 'ok',
        transports: [{ name: new URL(smtp!.url).host, circuit: 'closed', failuresInARow: 0, lastSuccessAt: null }],
      });
    },
  );

  it('stays ready but shows the failure when the mail server cannot be reached at start', async () => {
    // A port nobody listens on: the outbox keeps the mail, so this must not take the instance out.
    smtp = await startSmtpTestServer();
    const deadUrl = smtp.url;
    await smtp.close();
    smtp = undefined;
    testApp = await startTestApp({ env: { SMTP_URL: deadUrl } });
    await expect.poll(() => testApp!.runtime.mailCheck.state.status).toBe('failed');
    const response = await fetch(`${testApp.baseUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', mail: 'failed' });
    expect(testApp.logLines.some((line) => line.includes('"mail.verify_failed"'))).toBe(true);
  });

  it('is unready (503) once the database is gone', async () => {
    testApp = await startTestApp();
    await testApp.runtime.db.destroy();
    const response = await fetch(`${testApp.baseUrl}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'unready', database: 'unreachable' });
    // close() destroys the database again; give it a fresh no-op.
    testApp.runtime.db.destroy = async () => {};
  });

  it.each(dialects)('is unready while a migration is pending (%s)', async (dialect) => {
    testApp = await startTestApp({ dialect });
    await testApp.runtime.db
      .deleteFrom('kysely_migration' as never)
      .where('name' as never, '=', '0002-outbox' as never)
      .execute();
    const response = await fetch(`${testApp.baseUrl}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'unready', database: 'ok', migrations: 'pending' });
  });
});
