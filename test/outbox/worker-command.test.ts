import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { codeIn } from '../support/mail-codes.js';
import { distinctAddresses, outboxRows, waitForOutboxFinished } from '../support/outbox-rows.js';
import { killServerProcesses, type ServerProcess, startServerProcess } from '../support/server-process.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The app queues (OUTBOX_WORKER=off, requests straight to the service); two `otp-app worker` child
// processes share its SQLite file and deliver.
describe('separate `worker` processes beside a server that only queues', () => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;
  const workers: ServerProcess[] = [];

  afterEach(async () => {
    await killServerProcesses();
    workers.length = 0;
    await testApp.close();
    await smtp.close();
  });

  it('deliver 100 queued emails between them, each exactly once, and stop cleanly on SIGTERM', async () => {
    onTestFailed(() => console.error(workers.map((worker) => worker.output().slice(-3000)).join('\n---\n')));
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, OUTBOX_WORKER: 'off' } });
    // Both workers are polling before the first email is queued, so both get a share.
    const env = { DATA_DIR: testApp.dataDir, SMTP_URL: smtp.url, OUTBOX_POLL_INTERVAL_MS: '50', OUTBOX_CONCURRENCY: '3' };
    workers.push(...(await Promise.all([1, 2].map(() => startServerProcess({ command: 'worker', cwd: testApp.dataDir, env })))));
    expect(await outboxRows(testApp.runtime.db)).toEqual([]);

    const addresses = distinctAddresses(100, 'shared');
    for (const outcome of await Promise.all(addresses.map((address) => testApp.runtime.service.request({ address })))) {
      expect(outcome.ok).toBe(true);
    }

    await smtp.waitForMessages(100, 30_000);
    const rows = await waitForOutboxFinished(testApp.runtime.db, 10_000);
    expect(rows.map((row) => row.status)).toEqual(Array(100).fill('sent'));
    expect(rows.every((row) => row.attempts === 1)).toBe(true);
    expect(smtp.messages).toHaveLength(100);
    expect(new Set(smtp.envelopes.map((envelope) => envelope.to.join(',')))).toEqual(new Set(addresses));
    // Both took part: the claim is one atomic UPDATE, so they shared the queue rather than racing for it.
    for (const worker of workers) expect(worker.output()).toContain('"event":"otp.sent"');

    const verified = await Promise.all(
      smtp.messages.map((mail, i) => testApp.runtime.service.verify({ address: smtp.envelopes[i]!.to[0]!, code: codeIn(mail) })),
    );
    expect(verified.every((outcome) => outcome.ok)).toBe(true);

    const exits = await Promise.all(workers.map((worker) => worker.signalAndWait('SIGTERM', 15_000)));
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  }, 60_000);
});
