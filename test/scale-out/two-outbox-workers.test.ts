import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeEmail } from '../../src/core/code-delivery.js';
import { SealedBox } from '../../src/core/sealed-box.js';
import { SecretKeyring } from '../../src/core/secret-keyring.js';
import { type OtpDatabase, openDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { OutboxMessageRow } from '../../src/store/schema.js';
import { postgresAvailable } from '../support/dialects.js';
import { distinctAddresses, outboxStatusCounts, waitForOutboxFinished } from '../support/outbox-rows.js';
import { createPostgresTestSchema, type PostgresTestSchema } from '../support/postgres-test-schema.js';
import { killServerProcesses, startServerProcess } from '../support/server-process.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { testSecretKey } from '../support/test-app.js';

const messageCount = 1000;

/** Queued code emails as the app writes them: sealed with the outbox key derived from SECRET_KEY. */
function queuedMessages(recipients: string[], nowMs: number): OutboxMessageRow[] {
  const sealer = new SealedBox(new SecretKeyring(testSecretKey, [], 'outbox seal v1'));
  return recipients.map((to, i) => {
    const email: CodeEmail = { to, code: String(100_000 + i), purpose: 'sign-in', expiresAtMs: nowMs + 600_000, ttlSeconds: 600 };
    return {
      id: randomUUID(),
      recipient: to,
      sealed_body: sealer.seal(JSON.stringify(email)),
      status: 'queued',
      attempts: 0,
      next_attempt_at: nowMs,
      lease_until: null,
      created_at: nowMs + i,
      expires_at: nowMs + 600_000,
      sent_at: null,
      updated_at: nowMs,
      last_error: null,
    };
  });
}

describe.skipIf(!postgresAvailable)('two outbox worker processes on one PostgreSQL', () => {
  let schema: PostgresTestSchema;
  let db: OtpDatabase;
  let smtp: SmtpTestServer;
  let workDir: string;

  beforeAll(async () => {
    schema = await createPostgresTestSchema();
    db = openDatabase({ kind: 'postgres', url: schema.url, poolSize: 2, connectTimeoutMs: 5000 });
    await migrateToLatest(db);
    smtp = await startSmtpTestServer();
    workDir = mkdtempSync(join(tmpdir(), 'otp-workers-'));
  });

  afterAll(async () => {
    await killServerProcesses();
    await db?.destroy();
    await smtp?.close();
    await schema?.drop();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  }, 30_000);

  it(`drain ${messageCount} queued emails between them without sending any twice`, async () => {
    const recipients = distinctAddresses(messageCount, 'drained');
    const rows = queuedMessages(recipients, Date.now());
    for (let i = 0; i < rows.length; i += 200)
      await db
        .insertInto('outbox_messages')
        .values(rows.slice(i, i + 200))
        .execute();

    const env = {
      DATABASE_URL: schema.url,
      AUTO_MIGRATE: 'false',
      SMTP_URL: smtp.url,
      OUTBOX_CONCURRENCY: '10',
      OUTBOX_POLL_INTERVAL_MS: '50',
      LOG_LEVEL: 'warn',
    };
    const workers = await Promise.all(
      [0, 1].map(() =>
        startServerProcess({ command: 'worker', env: { ...env, LOG_LEVEL: 'info' }, cwd: workDir, readyTimeoutMs: 60_000 }),
      ),
    );
    await waitForOutboxFinished(db, 150_000);
    // Stopping lets any send still under way finish, so a duplicate could not slip in after the count.
    await Promise.all(workers.map((worker) => worker.signalAndWait('SIGTERM')));

    expect(await outboxStatusCounts(db)).toEqual({ sent: messageCount });
    const delivered = smtp.envelopes.flatMap((envelope) => envelope.to);
    expect(delivered).toHaveLength(messageCount);
    expect(new Set(delivered).size).toBe(messageCount);
    // Both workers took a share: the test really exercised two claimers racing.
    const sentBy = workers.map((worker) => (worker.output().match(/"event":"otp\.sent"/g) ?? []).length);
    expect(sentBy.every((count) => count > 0)).toBe(true);
  }, 200_000);
});
