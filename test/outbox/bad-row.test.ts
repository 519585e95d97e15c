import { describe, expect, it } from 'vitest';
import { SealedBox } from '../../src/core/sealed-box.js';
import { SecretKeyring } from '../../src/core/secret-keyring.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { dialects } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { outboxRows } from '../support/outbox-rows.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, testSecretKey } from '../support/test-app.js';
import { handDrivenWorker } from '../support/worker-runtime.js';

// What comes out of the database is checked, not trusted: a row sealed with the right key but holding
// the wrong thing must fail alone, with an error that says why, and not stop the worker.
describe.each(dialects)('an outbox row that opens but is not a code email (%s)', (dialect) => {
  const opened = closedAfterEach();

  it('fails that message with a clear error, and the next message is still delivered', async () => {
    const clock = new FakeClock(Date.now());
    const smtp = opened.add(await startSmtpTestServer());
    const testApp = opened.add(await startTestApp({ env: { SMTP_URL: smtp.url, OUTBOX_WORKER: 'off' }, clock, dialect }));
    const sealer = new SealedBox(new SecretKeyring(testSecretKey, [], 'outbox seal v1'));
    const planted = (id: string, body: string, createdAtMs: number) => ({
      id,
      recipient: `${id}@example.com`,
      sealed_body: sealer.seal(body),
      status: 'queued' as const,
      attempts: 0,
      next_attempt_at: createdAtMs,
      lease_until: null,
      created_at: createdAtMs,
      expires_at: clock.ms + 300_000,
      sent_at: null,
      updated_at: createdAtMs,
      last_error: null,
    });
    await testApp.runtime.db
      .insertInto('outbox_messages')
      .values([
        planted('wrong-shape', JSON.stringify({ to: 'wrong-shape@example.com', code: 123456 }), clock.ms - 2),
        planted('not-json', 'this is not JSON', clock.ms - 1),
      ])
      .execute();
    expect((await testApp.runtime.service.request({ address: 'next@example.com' })).ok).toBe(true);

    const driven = opened.add(handDrivenWorker(testApp.runtime, { smtpUrl: smtp.url, clock }));
    expect(await driven.worker.drainOnce()).toBe(3);

    const rows = await outboxRows(testApp.runtime.db);
    expect(rows.map((row) => [row.recipient, row.status, row.attempts, row.sealed_body])).toEqual([
      ['wrong-shape@example.com', 'failed', 1, null],
      ['not-json@example.com', 'failed', 1, null],
      ['next@example.com', 'sent', 1, null],
    ]);
    expect(rows[0]!.last_error).toBe('the queued email is not a code email (bad fields: code, purpose, expiresAtMs, ttlSeconds)');
    expect(rows[1]!.last_error).toBe('the queued email is not JSON');
    expect(smtp.envelopes.map((envelope) => envelope.to)).toEqual([['next@example.com']]);
    // Reported like any failed delivery (the runtime logs these events), and not as a worker error.
    expect(driven.events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['otp.delivery_failed', 'otp.delivery_failed', 'otp.sent']),
    );
    expect(driven.events.filter((event) => event.type === 'outbox.error')).toEqual([]);
  });
});
