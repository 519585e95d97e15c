import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOtpRuntime, type DeliveryEvent, type OtpRuntime } from 'otp-app';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { createPostgresTestSchema, type PostgresTestSchema } from '../support/postgres-test-schema.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';

const anna = 'anna@example.com';

describe.each(dialects)('the library: delivery events and the suppression list (%s)', (dialect) => {
  let smtp: SmtpTestServer;
  let dataDir: string;
  let schema: PostgresTestSchema | undefined;
  let otp: OtpRuntime | undefined;

  beforeEach(async () => {
    smtp = await startSmtpTestServer();
    dataDir = mkdtempSync(join(tmpdir(), 'otp-app-library-'));
    schema = dialect === 'postgres' ? await createPostgresTestSchema() : undefined;
  });

  afterEach(async () => {
    await otp?.close();
    otp = undefined;
    await smtp.close();
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a bounce handed to runtime.deliveryEvents makes service.request refuse the address as undeliverable', async () => {
    otp = await createOtpRuntime({
      secretKey: 'an-example-secret-key-of-at-least-32-bytes-0123456789',
      smtpUrl: smtp.url,
      databaseUrl: schema?.url ?? `sqlite:${join(dataDir, 'otp.sqlite')}`,
      suppressionDays: 7,
      logger: pino({ level: 'silent' }),
    });
    const sent = await otp.service.request({ address: anna });
    if (!sent.ok) throw new Error('refused');
    await smtp.waitForMessages(1);
    // The worker runs in this process: wait for it to record the send before the report comes back.
    await expect
      .poll(async () => (await otp!.db.selectFrom('outbox_messages').select('status').executeTakeFirstOrThrow()).status)
      .toBe('sent');

    const bounce: DeliveryEvent = { kind: 'bounce', permanent: true, messageId: sent.codeId, diagnostic: '5.1.1 gone' };
    expect(await otp.deliveryEvents.recordDeliveryEvent(bounce)).toBe('applied');
    expect(await otp.service.request({ address: anna })).toEqual({ ok: false, reason: 'undeliverable' });
    const entry = await otp.suppressions.findSuppression(anna, Date.now());
    expect(entry).toMatchObject({ cause: 'bounce', address: anna });
    // suppressionDays reached the recorder: seven days, not the default thirty.
    expect(entry!.expiresAtMs! - entry!.createdAtMs).toBe(7 * 86_400_000);
  });
});
