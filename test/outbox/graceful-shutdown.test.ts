import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { type OtpDatabase, openSqliteDatabase } from '../../src/store/database.js';
import { requestCodesThroughForm } from '../support/form-burst.js';
import { distinctAddresses, outboxStatusCounts, waitForOutboxFinished } from '../support/outbox-rows.js';
import { killServerProcesses, type ServerProcess, startServerProcess } from '../support/server-process.js';
import { type SlowSmtpServer, startSlowSmtpServer } from '../support/slow-smtp-server.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';

const outboxEnv = { OUTBOX_CONCURRENCY: '3', OUTBOX_POLL_INTERVAL_MS: '50', OTP_IP_REQUEST_LIMIT: '100000' };

async function answersHttp(baseUrl: string): Promise<boolean> {
  try {
    await (await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(500) })).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

// A real child process (`node --import tsx src/cli/cli.ts serve`) receives a real SIGTERM; the emails are
// requested through its HTML forms.
describe('SIGTERM while emails are being sent', () => {
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

  it('stops taking requests, finishes the sends under way, exits 0, and leaves the rest queued for next time', async () => {
    onTestFailed(() => console.error(`server output (tail):\n${server?.output().slice(-5000) ?? '(none)'}`));
    dataDir = mkdtempSync(join(tmpdir(), 'otp-outbox-sigterm-'));
    const slowSink: SlowSmtpServer = await startSlowSmtpServer({ delayMs: 1000 });
    sinks.push(slowSink);
    server = await startServerProcess({ cwd: dataDir, env: { ...outboxEnv, DATA_DIR: dataDir, SMTP_URL: slowSink.url } });
    const addresses = distinctAddresses(8, 'sigterm');
    await requestCodesThroughForm(server.baseUrl, addresses, 1);
    // Three connections, three emails on the wire; five wait in the queue.
    await slowSink.waitForReceiving(3, 5000);
    expect(slowSink.messages).toHaveLength(0);

    const sigtermAtMs = Date.now();
    const exiting = server.signalAndWait('SIGTERM', 15_000);
    let refusedWhileAlive = false;
    let exitedYet = false;
    void exiting.then(
      () => (exitedYet = true),
      () => (exitedYet = true),
    );
    while (!exitedYet && !refusedWhileAlive) {
      if (!(await answersHttp(server.baseUrl)) && !exitedYet) refusedWhileAlive = true;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exit = await exiting;

    expect(exit).toEqual({ code: 0, signal: null });
    // Bounded by the shutdown grace (OUTBOX_SHUTDOWN_GRACE_SECONDS, 10 s by default); in practice about 1 s.
    expect(Date.now() - sigtermAtMs).toBeLessThan(10_000);
    expect(refusedWhileAlive).toBe(true);
    expect(slowSink.messages).toHaveLength(3);
    expect(server.output()).toContain('finishing sends under way');
    db = openSqliteDatabase(join(dataDir, 'otp.sqlite'));
    // Nothing is left claimed: the queued five need no lease to run out before the next start.
    expect(await outboxStatusCounts(db)).toEqual({ sent: 3, queued: 5 });

    const fastSink = await startSmtpTestServer();
    sinks.push(fastSink);
    server = await startServerProcess({ cwd: dataDir, env: { ...outboxEnv, DATA_DIR: dataDir, SMTP_URL: fastSink.url } });
    await fastSink.waitForMessages(5, 10_000);
    await waitForOutboxFinished(db);
    const recipients = [...slowSink.envelopes, ...fastSink.envelopes].map((envelope) => envelope.to.join(','));
    expect(recipients.sort()).toEqual([...addresses].sort());
  }, 45_000);
});
