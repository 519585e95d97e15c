import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SealedBox } from '../../src/core/sealed-box.js';
import { SecretKeyring } from '../../src/core/secret-keyring.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { dialects } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { outboxRows } from '../support/outbox-rows.js';
import { freePort } from '../support/server-process.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp, testSecretKey } from '../support/test-app.js';
import { handDrivenWorker } from '../support/worker-runtime.js';

// Ten distinctive digits: a chance occurrence in hex ids or hashes is ~1e-12 per position, so finding
// this string anywhere in the database files means the code itself was written there.
const distinctiveCode = '9182736450';
const fixedCode = { generate: (length: number) => distinctiveCode.slice(0, length) };
const env = { OTP_LENGTH: '10', OUTBOX_RETRY_BASE_MS: '50', OUTBOX_RETRY_MAX_MS: '500', OUTBOX_POLL_INTERVAL_MS: '50' };

/** Every file SQLite keeps for the database (main file, -wal, -shm), as raw bytes. */
function databaseFileBytes(testApp: TestApp): Buffer {
  const directory = testApp.config.dataDir;
  const files = readdirSync(directory).filter((name) => name.startsWith('otp.sqlite'));
  expect(files).toContain('otp.sqlite');
  return Buffer.concat(files.map((name) => readFileSync(join(directory, name))));
}

// Requests go straight to the service; the subject is what the database holds.
// SQLite only: the subject is the bytes of its files.
describe('the code inside the outbox while it waits (sqlite)', () => {
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.close();
    testApp = undefined;
  });

  it('is sealed while the email waits: neither the row nor the raw SQLite files (main and WAL) hold it', async () => {
    const downPort = await freePort();
    testApp = await startTestApp({ env: { ...env, SMTP_URL: `smtp://127.0.0.1:${downPort}` }, codeGenerator: fixedCode });
    expect((await testApp.runtime.service.request({ address: 'waiting@example.com' })).ok).toBe(true);
    await vi.waitFor(async () => expect((await outboxRows(testApp!.runtime.db))[0]?.attempts).toBeGreaterThanOrEqual(2), {
      timeout: 10_000,
    });

    const [row] = await outboxRows(testApp.runtime.db);
    expect(row!.status === 'queued' || row!.status === 'sending').toBe(true);
    expect(row!.sealed_body).not.toBeNull();
    expect(row!.sealed_body).not.toContain(distinctiveCode);
    // The body is really there, only sealed: the app's key opens it and finds the code.
    const opened = new SealedBox(new SecretKeyring(testSecretKey, [], 'outbox seal v1')).open(row!.sealed_body!);
    expect(JSON.parse(opened!)).toMatchObject({ to: 'waiting@example.com', code: distinctiveCode });

    const bytes = databaseFileBytes(testApp);
    // The scan does see the row's data (the sealed text is in the files), so an absence below means something.
    expect(bytes.includes(row!.sealed_body!.slice(-32), 0, 'utf8')).toBe(true);
    expect(bytes.includes(distinctiveCode, 0, 'utf8')).toBe(false);
    expect(bytes.includes(distinctiveCode, 0, 'utf16le')).toBe(false);
    expect(testApp.logLines.join('\n')).not.toContain(distinctiveCode);
  });
});

// The worker is driven by hand (drainOnce) on the app's fake clock, so each round is awaited and the
// code's lifetime passes in one step of the clock.
describe.each(dialects)('the code inside a finished outbox row (%s)', (dialect) => {
  const opened = closedAfterEach();

  it('is wiped from every finished row, whether sent, failed (550) or expired', async () => {
    const clock = new FakeClock(Date.now());
    const smtp = await startSmtpTestServer({
      rejectRecipients: (address) => {
        if (address.startsWith('nobody@')) return { code: 550, message: 'No such user' };
        if (address.startsWith('late@')) return { code: 451, message: 'Try again later' };
        return undefined;
      },
    });
    opened.add(smtp);
    const testApp = opened.add(
      await startTestApp({ env: { ...env, SMTP_URL: smtp.url, OUTBOX_WORKER: 'off' }, clock, codeGenerator: fixedCode, dialect }),
    );
    const driven = opened.add(handDrivenWorker(testApp.runtime, { smtpUrl: smtp.url, clock }));
    const { service, db } = testApp.runtime;
    for (const address of ['fine@example.com', 'nobody@example.com', 'late@example.com']) {
      expect((await service.request({ address })).ok).toBe(true);
    }
    // 'late' is deferred; once its code's lifetime has passed, the worker gives it up as expired.
    expect(await driven.worker.drainOnce()).toBe(3);
    expect((await outboxRows(db)).find((row) => row.recipient === 'late@example.com')).toMatchObject({ status: 'queued' });
    clock.advanceSeconds(301);
    expect(await driven.worker.drainOnce()).toBe(1);

    const rows = await outboxRows(db);
    expect(Object.fromEntries(rows.map((row) => [row.recipient, row.status]))).toEqual({
      'fine@example.com': 'sent',
      'nobody@example.com': 'failed',
      'late@example.com': 'expired',
    });
    for (const row of rows) expect(row).toMatchObject({ sealed_body: null, lease_until: null });
    if (dialect === 'sqlite') expect(databaseFileBytes(testApp).includes(distinctiveCode, 0, 'utf8')).toBe(false);
  });
});
