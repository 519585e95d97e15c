import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFailed, vi } from 'vitest';
import { type OtpDatabase, openSqliteDatabase } from '../../src/store/database.js';
import { requestCodesThroughForm } from '../support/form-burst.js';
import { distinctAddresses, outboxRows, waitForOutboxFinished } from '../support/outbox-rows.js';
import { killServerProcesses, type ServerProcess, startServerProcess } from '../support/server-process.js';
import { type SlowSmtpServer, startSlowSmtpServer } from '../support/slow-smtp-server.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';

// The lease must comfortably outlast one send (1.5 s here, longer on a loaded machine): a live worker
// re-sends its own message once the lease runs out mid-send (worker-lease.test.ts), and such duplicates
// would blur what this test is about, the crash. 5 s still lets the restarted server take over quickly.
const outboxEnv = {
  OUTBOX_LEASE_SECONDS: '5',
  OUTBOX_RETRY_BASE_MS: '50',
  OUTBOX_RETRY_MAX_MS: '500',
  OUTBOX_POLL_INTERVAL_MS: '50',
  OTP_IP_REQUEST_LIMIT: '100000',
};

function recipientsOf(server: SmtpTestServer): string[] {
  return server.envelopes.map((envelope) => envelope.to.join(','));
}

// The server runs as a real child process (`node --import tsx src/cli/cli.ts serve`), so SIGKILL is a real
// crash; requests go through its HTML forms over HTTP, as a browser's would.
describe('a server process killed with SIGKILL while 100 emails are queued', () => {
  let dataDir: string | undefined;
  let db: OtpDatabase | undefined;
  const sinks: SmtpTestServer[] = [];
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await killServerProcesses();
    await db?.destroy();
    await Promise.all(sinks.splice(0).map((sink) => sink.close()));
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    db = undefined;
    dataDir = undefined;
    server = undefined;
  });

  it('delivers every one of them after a restart, taking over the claims the dead process held', async () => {
    onTestFailed(() => console.error(`server output (tail):\n${server?.output().slice(-5000) ?? '(none)'}`));
    dataDir = mkdtempSync(join(tmpdir(), 'otp-outbox-crash-'));
    const slowSink: SlowSmtpServer = await startSlowSmtpServer({ delayMs: 1500 });
    sinks.push(slowSink);
    server = await startServerProcess({ cwd: dataDir, env: { ...outboxEnv, DATA_DIR: dataDir, SMTP_URL: slowSink.url } });

    const addresses = distinctAddresses(100, 'crash');
    await requestCodesThroughForm(server.baseUrl, addresses);
    // Crash mid-delivery: some emails are sent and recorded, a few are on the wire, the rest are queued.
    db = openSqliteDatabase(join(dataDir, 'otp.sqlite'));
    // (The default 5 connections take their first 5 emails together; wait until that batch is recorded
    // and the next one is on the wire.)
    await vi.waitFor(
      async () => {
        const rows = await outboxRows(db!);
        expect(rows.filter((row) => row.status === 'sent').length).toBeGreaterThanOrEqual(5);
        expect(slowSink.receiving).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 20 },
    );
    const killed = await server.signalAndWait('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const deliveredBeforeCrash = recipientsOf(slowSink);
    expect(deliveredBeforeCrash.length).toBeLessThan(100);

    const atCrash = await outboxRows(db);
    expect(atCrash).toHaveLength(100);
    const inFlightAtCrash = atCrash.filter((row) => row.status === 'sending');
    expect(inFlightAtCrash.length).toBeGreaterThan(0);
    expect(atCrash.filter((row) => row.status === 'queued').length).toBeGreaterThan(50);

    const fastSink = await startSmtpTestServer();
    sinks.push(fastSink);
    server = await startServerProcess({ cwd: dataDir, env: { ...outboxEnv, DATA_DIR: dataDir, SMTP_URL: fastSink.url } });

    await vi.waitFor(() => expect(new Set([...deliveredBeforeCrash, ...recipientsOf(fastSink)]).size).toBe(100), {
      timeout: 30_000,
      interval: 100,
    });
    const rows = await waitForOutboxFinished(db, 10_000);
    expect(rows.map((row) => row.status)).toEqual(Array(100).fill('sent'));
    expect(rows.every((row) => row.sealed_body === null)).toBe(true);
    expect(new Set([...deliveredBeforeCrash, ...recipientsOf(fastSink)])).toEqual(new Set(addresses));
    // The leases the dead process held were taken over: those messages took a second attempt.
    for (const claimed of inFlightAtCrash) {
      expect(rows.find((row) => row.id === claimed.id)?.attempts).toBeGreaterThanOrEqual(2);
    }
    // At-least-once: a second copy only of an email that was on the wire when the process died.
    const sendingAtCrash = new Set(inFlightAtCrash.map((row) => row.recipient));
    const all = [...deliveredBeforeCrash, ...recipientsOf(fastSink)];
    const duplicated = all.filter((recipient, i) => all.indexOf(recipient) !== i);
    for (const recipient of duplicated) expect(sendingAtCrash.has(recipient)).toBe(true);
  }, 60_000);
});
