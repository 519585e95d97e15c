import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxMessageRow } from '../../src/store/schema.js';
import { dialects } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { FormClient, textOf } from '../support/form-client.js';
import { outboxRows } from '../support/outbox-rows.js';
import { freePort } from '../support/server-process.js';
import { sameDatabaseEnv } from '../support/shared-database.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type HandDrivenWorker, handDrivenWorker } from '../support/worker-runtime.js';

// 6 a minute: one slot every 10 s, and no burst beyond the first (the burst is 10 s worth of the rate).
const pacedEnv = { OUTBOX_WORKER: 'off', OUTBOX_DOMAIN_RATE_PER_MINUTE: '6', OUTBOX_RETRY_BASE_MS: '50' };

const rowsTo = (rows: OutboxMessageRow[], domain: string) => rows.filter((row) => row.recipient.endsWith(`@${domain}`));
const receivedBy = (smtp: SmtpTestServer) => smtp.envelopes.map((envelope) => envelope.to.join(','));

describe.each(dialects)('pacing per recipient domain (%s)', (dialect) => {
  let testApp: TestApp | undefined;
  let smtp: SmtpTestServer | undefined;
  let driven: HandDrivenWorker | undefined;

  afterEach(async () => {
    await driven?.close();
    await testApp?.close();
    await smtp?.close();
    driven = testApp = smtp = undefined;
  });

  async function start(env: Record<string, string>, rejectRecipients?: Parameters<typeof startSmtpTestServer>[0]) {
    const clock = new FakeClock(Date.now());
    smtp = await startSmtpTestServer(rejectRecipients);
    testApp = await startTestApp({ env: { ...pacedEnv, ...env }, clock, dialect });
    driven = handDrivenWorker(testApp.runtime, { smtpUrl: smtp.url, clock });
    const request = async (address: string) => {
      // A millisecond apart, so the queue's order (by due time) is the order of the requests on both databases.
      clock.ms += 1;
      const outcome = await testApp!.runtime.service.request({ address });
      if (!outcome.ok) throw new Error(`request for ${address} refused: ${outcome.reason}`);
      return outcome.codeId;
    };
    return { clock, request, worker: driven.worker, db: testApp.runtime.db, smtp };
  }

  it('sends a burst to one domain one every 10 s, while mail to another domain goes at once', async () => {
    const { clock, request, worker, db, smtp } = await start({});
    for (const name of ['a', 'b', 'c', 'd']) await request(`${name}@busy.example`);
    await request('e@calm.example');
    await request('f@other.example');
    const startMs = clock.nowMs();

    await worker.drainOnce();
    expect(receivedBy(smtp).filter((to) => !to.endsWith('@busy.example'))).toEqual(['e@calm.example', 'f@other.example']);
    expect(receivedBy(smtp).filter((to) => to.endsWith('@busy.example'))).toHaveLength(1);
    // The rest wait in the queue for their slots, 10 s apart, with no delivery attempt spent.
    const waiting = rowsTo(await outboxRows(db), 'busy.example').filter((row) => row.status === 'queued');
    // (Sorted: a claim's messages are delivered side by side, so which takes which slot is a race.)
    expect(waiting.map((row) => Number(row.next_attempt_at) - startMs).sort((x, y) => x - y)).toEqual([10_000, 20_000, 30_000]);
    expect(waiting.every((row) => row.attempts === 0 && Number(row.pacing_slot_at) === Number(row.next_attempt_at))).toBe(true);

    for (const expectedSent of [2, 3, 4]) {
      clock.advanceSeconds(10);
      await worker.drainOnce();
      expect(receivedBy(smtp).filter((to) => to.endsWith('@busy.example'))).toHaveLength(expectedSent);
    }
    const rows = await outboxRows(db);
    expect(rows.map((row) => row.status)).toEqual(Array(6).fill('sent'));
    // Delivered once each, on the first real attempt.
    expect(rows.every((row) => row.attempts === 1)).toBe(true);
    expect(new Set(receivedBy(smtp)).size).toBe(6);
    expect(smtp.messages).toHaveLength(6);
  });

  it('paces a large mailbox provider at its own, higher rate: a burst there cannot take a code lifetime of slots', async () => {
    // 6 a minute for a company, 60 a minute (one a second, a burst of 10) for each large provider.
    const { clock, request, worker, smtp } = await start({ OUTBOX_LARGE_PROVIDER_RATE_PER_MINUTE: '60' });
    for (let i = 0; i < 12; i++) await request(`person${i}@gmail.com`);
    for (let i = 0; i < 3; i++) await request(`person${i}@busy.example`);

    await worker.drainOnce();
    expect(receivedBy(smtp).filter((to) => to.endsWith('@gmail.com'))).toHaveLength(10);
    expect(receivedBy(smtp).filter((to) => to.endsWith('@busy.example'))).toHaveLength(1);
    clock.advanceSeconds(2);
    await worker.drainOnce();
    expect(receivedBy(smtp).filter((to) => to.endsWith('@gmail.com'))).toHaveLength(12);
    expect(receivedBy(smtp).filter((to) => to.endsWith('@busy.example'))).toHaveLength(1);
  });

  it('holds the rate across two worker processes on one database', async () => {
    const { clock, request, worker, db, smtp } = await start({});
    const other = await startTestApp({ env: { ...pacedEnv, ...sameDatabaseEnv(testApp!) }, clock, dialect });
    const otherDriven = handDrivenWorker(other.runtime, { smtpUrl: smtp.url, clock });
    try {
      for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await request(`${name}@busy.example`);
      // Both drain at the same moment: between them, one slot's worth goes now.
      await Promise.all([worker.drainOnce(), otherDriven.worker.drainOnce()]);
      expect(smtp.messages).toHaveLength(1);
      clock.advanceSeconds(10);
      await Promise.all([worker.drainOnce(), otherDriven.worker.drainOnce()]);
      expect(smtp.messages).toHaveLength(2);
      expect((await outboxRows(db)).filter((row) => row.status === 'queued')).toHaveLength(4);
    } finally {
      await otherDriven.close();
      await other.close();
    }
  });

  it('slows a domain that defers (451 at RCPT TO) to half its rate, and still delivers each message once', async () => {
    let deferrals = 1;
    const { clock, request, worker, db, smtp } = await start(
      {},
      {
        rejectRecipients: (address) => {
          if (!address.endsWith('@slow.example') || deferrals === 0) return undefined;
          deferrals--;
          return { code: 451, message: '4.7.1 Try again later' };
        },
      },
    );
    await request('x1@slow.example');
    await worker.drainOnce();
    expect(smtp.messages).toHaveLength(0);

    // The retry is due; two more for the slowed domain, two for a domain nobody slowed.
    clock.advanceSeconds(1);
    for (const name of ['x2', 'x3']) await request(`${name}@slow.example`);
    for (const name of ['y1', 'y2']) await request(`${name}@calm.example`);
    await worker.drainOnce();

    const rows = await outboxRows(db);
    const slotsOf = (domain: string) =>
      rowsTo(rows, domain)
        .filter((row) => row.status === 'queued')
        .map((row) => Number(row.pacing_slot_at))
        .sort((x, y) => x - y);
    const gaps = (slots: number[]) => slots.slice(1).map((slot, i) => slot - slots[i]!);
    const slowSlots = slotsOf('slow.example');
    expect(slowSlots).toHaveLength(3);
    expect(gaps(slowSlots)).toEqual([20_000, 20_000]);
    expect(slotsOf('calm.example')).toHaveLength(1);
    expect(receivedBy(smtp)).toEqual([expect.stringMatching(/^y[12]@calm\.example$/)]);

    for (let i = 0; i < 12 && smtp.messages.length < 5; i++) {
      clock.advanceSeconds(10);
      await worker.drainOnce();
    }
    expect((await outboxRows(db)).map((row) => row.status)).toEqual(Array(5).fill('sent'));
    expect(new Set(receivedBy(smtp)).size).toBe(5);
    expect(smtp.messages).toHaveLength(5);
  });

  it('gives the slot back when our SMTP server is down (the domain never saw the email), so an outage uses up no slots', async () => {
    const clock = new FakeClock(Date.now());
    const port = await freePort();
    // One claim at a time: a (due first) takes the slot before b is claimed.
    testApp = await startTestApp({ env: { ...pacedEnv, OUTBOX_CONCURRENCY: '1' }, clock, dialect });
    driven = handDrivenWorker(testApp.runtime, { smtpUrl: `smtp://127.0.0.1:${port}`, clock });
    const { service, db } = testApp.runtime;
    expect((await service.request({ address: 'a@busy.example' })).ok).toBe(true);
    for (let i = 0; i < 3; i++) {
      await driven.worker.drainOnce();
      clock.advanceSeconds(1);
    }
    expect((await outboxRows(db))[0]).toMatchObject({ status: 'queued', attempts: 3 });

    smtp = await startSmtpTestServer({ port });
    clock.ms += 1;
    expect((await service.request({ address: 'b@busy.example' })).ok).toBe(true);
    await driven.worker.drainOnce();
    // a goes at once (three failed tries took no slot); b waits one interval behind it.
    expect(receivedBy(smtp)).toEqual(['a@busy.example']);
    expect(rowsTo(await outboxRows(db), 'busy.example').map((row) => row.status)).toEqual(['sent', 'queued']);
  });

  it('ends paced mail expired when its code expires before a slot, never sending it late; the page says "still sending" meanwhile', async () => {
    // One claim at a time, so slots go in the order of the requests (a claim's messages race for them).
    const { clock, request, worker, db, smtp } = await start({ OTP_TTL_SECONDS: '30', OUTBOX_CONCURRENCY: '1' });
    for (const name of ['a', 'b', 'c', 'd']) await request(`${name}@busy.example`);
    clock.ms += 1;
    // The fifth through the pages, to see what the person is told while it waits.
    const browser = new FormClient(testApp!.baseUrl);
    await browser.get('/secure-otp/request/');
    expect((await browser.post('/secure-otp/request/', { email: 'e@busy.example' })).path).toBe('/secure-otp/verify/');

    await worker.drainOnce();
    expect(smtp.messages).toHaveLength(1);
    expect(textOf((await browser.get('/secure-otp/verify/')).body)).toContain('We are still sending the email');

    for (let i = 0; i < 3; i++) {
      clock.advanceSeconds(10);
      await worker.drainOnce();
    }
    // Slots at +10 s and +20 s; +30 s would be when the codes expire: those two never go.
    const rows = await outboxRows(db);
    expect(rows.map((row) => row.status).sort()).toEqual(['expired', 'expired', 'sent', 'sent', 'sent']);
    expect(rows.filter((row) => row.status === 'expired').every((row) => row.sealed_body === null)).toBe(true);
    expect(smtp.messages).toHaveLength(3);
    expect(textOf((await browser.get('/secure-otp/verify/')).body)).toContain(
      'We could not send the email before the code expired',
    );
  });
});
