import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type DeliveryEventNotice, DeliveryEventRecorder } from '../../src/core/delivery-event-recorder.js';
import type { OtpPolicy } from '../../src/core/otp-policy.js';
import type { OtpDatabase } from '../../src/store/database.js';
import { KyselyDeliveryEventStore } from '../../src/store/kysely-delivery-event-store.js';
import { sweepOnce } from '../../src/store/sweeper.js';
import { dialects } from '../support/dialects.js';
import { codesInOrder, destroyOpenDatabases, dropPostgresOfThisFile, makeServiceOn } from './otp-service-harness.js';

const anna = 'anna@example.com';
const dayMs = 86_400_000;
const hardBounce = { kind: 'bounce', permanent: true, diagnostic: 'smtp; 550 5.1.1 <anna@example.com>: user unknown' } as const;

afterEach(destroyOpenDatabases);
afterAll(dropPostgresOfThisFile);

function messageOf(db: OtpDatabase, id: string) {
  return db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function codeStatusOf(db: OtpDatabase, id: string): Promise<string> {
  return (await db.selectFrom('otp_codes').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
}

function suppressionsIn(db: OtpDatabase) {
  return db.selectFrom('suppressions').selectAll().orderBy('mailbox').execute();
}

async function sendsCounted(db: OtpDatabase, mailbox: string): Promise<number> {
  const row = await db.selectFrom('rate_windows').select('count').where('key', '=', `send:${mailbox}`).executeTakeFirst();
  return Number(row?.count ?? 0);
}

describe.each(dialects)('delivery events and the suppression list (%s)', (dialect) => {
  const makeServiceHere = makeServiceOn(dialect);

  /** The service, its worker and the real Kysely store, with the recorder the runtime builds on top. */
  async function makeRecorder(overrides: Partial<OtpPolicy> = {}, suppressionDays = 30, codes?: string[]) {
    const harness = await makeServiceHere(overrides, codes === undefined ? {} : { codeGenerator: codesInOrder(...codes) });
    const notices: DeliveryEventNotice[] = [];
    const recorder = new DeliveryEventRecorder({
      store: new KyselyDeliveryEventStore(harness.db),
      clock: harness.clock,
      suppressionDays,
      sendWindowSeconds: harness.service.policy.sendWindowSeconds,
      events: (notice) => notices.push(notice),
    });
    /** A code requested and its email sent (the worker ran): the message a report can name. */
    async function sentCode(address = anna): Promise<string> {
      const outcome = await harness.service.request({ address });
      if (!outcome.ok) throw new Error(`request refused: ${outcome.reason}`);
      await harness.deliverOutbox();
      return outcome.codeId;
    }
    return { ...harness, recorder, notices, sentCode };
  }

  describe('a permanent bounce', () => {
    it('fails the sent message, withdraws its live code, gives back its send and suppresses the address for SUPPRESSION_DAYS', async () => {
      const { db, clock, service, recorder, notices, sentCode } = await makeRecorder();
      const messageId = await sentCode();
      expect((await messageOf(db, messageId)).status).toBe('sent');
      expect(await sendsCounted(db, anna)).toBe(1);

      expect(await recorder.recordDeliveryEvent({ ...hardBounce, messageId })).toBe('applied');

      const message = await messageOf(db, messageId);
      expect(message.status).toBe('failed');
      expect(message.last_error).toBe(`bounced: ${hardBounce.diagnostic}`);
      expect(await codeStatusOf(db, messageId)).toBe('withdrawn');
      expect(await sendsCounted(db, anna)).toBe(0);
      expect(await suppressionsIn(db)).toEqual([
        {
          mailbox: anna,
          address: anna,
          cause: 'bounce',
          diagnostic: hardBounce.diagnostic,
          created_at: clock.ms,
          expires_at: clock.ms + 30 * dayMs,
        },
      ]);
      expect(notices).toEqual([
        { type: 'address.suppressed', address: anna, cause: 'bounce', expiresAtMs: clock.ms + 30 * dayMs },
        { type: 'delivery.event', kind: 'bounce_permanent', result: 'applied', messageId, address: anna },
      ]);
      // Nothing more is sent to the address; another address is served.
      expect(await service.request({ address: anna })).toEqual({ ok: false, reason: 'undeliverable' });
      expect(await service.request({ address: 'bob@example.com' })).toMatchObject({ ok: true });
    });

    it('a made-up +tag alias that bounces does not cut off the real inbox (most providers have no +tag addressing)', async () => {
      const { db, service, recorder, sentCode } = await makeRecorder();
      // A stranger asks for a code at an alias the provider does not know; it bounces for real.
      const messageId = await sentCode('anna+nosuch@example.com');
      expect(await recorder.recordDeliveryEvent({ ...hardBounce, messageId })).toBe('applied');
      expect((await suppressionsIn(db)).map((entry) => entry.mailbox)).toEqual(['anna+nosuch@example.com']);
      expect(await service.request({ address: 'anna+nosuch@example.com' })).toEqual({ ok: false, reason: 'undeliverable' });
      expect(await service.request({ address: anna })).toMatchObject({ ok: true });
    });

    it('at Gmail, which delivers every alias to one inbox, a bounce covers the inbox: dots and +tag alike', async () => {
      const { db, service, recorder, sentCode } = await makeRecorder();
      const messageId = await sentCode('a.nna+shop@googlemail.com');
      expect(await recorder.recordDeliveryEvent({ ...hardBounce, messageId })).toBe('applied');
      expect((await suppressionsIn(db)).map((entry) => entry.mailbox)).toEqual(['anna@gmail.com']);
      expect(await service.request({ address: 'anna@gmail.com' })).toEqual({ ok: false, reason: 'undeliverable' });
      expect(await service.request({ address: 'an.na+other@gmail.com' })).toEqual({ ok: false, reason: 'undeliverable' });
    });

    it('brings back the code the bounced one replaced, as a synchronous 550 does', async () => {
      const { db, service, recorder, sentCode, delivered } = await makeRecorder(
        { resendCooldownSeconds: 0, maxLiveCodes: 1 },
        30,
        ['111111', '222222'],
      );
      const first = await sentCode();
      const second = await sentCode();
      expect(await codeStatusOf(db, first)).toBe('superseded');
      expect(delivered.codes).toEqual(['111111', '222222']);

      expect(await recorder.recordDeliveryEvent({ ...hardBounce, messageId: second })).toBe('applied');
      expect(await codeStatusOf(db, second)).toBe('withdrawn');
      expect(await codeStatusOf(db, first)).toBe('live');
      expect(await service.verify({ address: anna, code: '111111' })).toMatchObject({ ok: true });
    });

    it('applies once: the same report again is only recorded, and changes nothing', async () => {
      const { db, clock, recorder, notices, sentCode } = await makeRecorder();
      const messageId = await sentCode();
      expect(await recorder.recordDeliveryEvent({ ...hardBounce, messageId })).toBe('applied');
      const before = await suppressionsIn(db);
      clock.advanceSeconds(600);
      expect(await recorder.recordDeliveryEvent({ ...hardBounce, messageId, diagnostic: 'a second copy' })).toBe('recorded');
      expect(await suppressionsIn(db)).toEqual(before);
      expect((await messageOf(db, messageId)).last_error).toBe(`bounced: ${hardBounce.diagnostic}`);
      expect(notices.filter((notice) => notice.type === 'address.suppressed')).toHaveLength(1);
    });

    it('applies once when two copies of the report race', async () => {
      const { db, recorder, sentCode } = await makeRecorder();
      const messageId = await sentCode();
      const results = await Promise.all(
        Array.from({ length: 6 }, () => recorder.recordDeliveryEvent({ ...hardBounce, messageId })),
      );
      expect(results.filter((result) => result === 'applied')).toHaveLength(1);
      expect(results.filter((result) => result === 'recorded')).toHaveLength(5);
      expect(await sendsCounted(db, anna)).toBe(0);
      expect(await suppressionsIn(db)).toHaveLength(1);
    });

    it('keeps a huge, hostile diagnostic short and on one line', async () => {
      const { db, recorder, sentCode } = await makeRecorder();
      const messageId = await sentCode();
      const diagnostic = `550 5.1.1 gone\r\nX-Injected: yes\u0000\u001b[31m${'x'.repeat(100_000)}`;
      expect(await recorder.recordDeliveryEvent({ kind: 'bounce', permanent: true, messageId, diagnostic })).toBe('applied');
      const message = await messageOf(db, messageId);
      expect(message.last_error!.length).toBeLessThanOrEqual(500);
      expect(message.last_error).toMatch(/^bounced: 550 5\.1\.1 gone X-Injected: yes \[31mx+/);
      const [entry] = await suppressionsIn(db);
      expect(entry!.diagnostic!.length).toBeLessThanOrEqual(300);
      for (const control of ['\r', '\n', '\u001b']) expect(entry!.diagnostic).not.toContain(control);
    });

    it('does not shorten a suppression kept until removed', async () => {
      const { db, recorder, sentCode } = await makeRecorder();
      const first = await sentCode();
      expect(await recorder.recordDeliveryEvent({ kind: 'complaint', messageId: first })).toBe('applied');
      const second = await makeSecondMessageForTheSameMailbox(db, first);
      expect(await recorder.recordDeliveryEvent({ ...hardBounce, messageId: second })).toBe('applied');
      expect(await suppressionsIn(db)).toMatchObject([{ cause: 'complaint', expires_at: null }]);
    });
  });

  describe('the other kinds', () => {
    it('records a delay on the message only', async () => {
      const { db, service, recorder, notices, sentCode } = await makeRecorder();
      const messageId = await sentCode();
      const delay = { kind: 'bounce', permanent: false, messageId, diagnostic: '451 4.4.1 no answer from host' } as const;
      expect(await recorder.recordDeliveryEvent(delay)).toBe('recorded');
      const message = await messageOf(db, messageId);
      expect(message.status).toBe('sent');
      expect(message.last_error).toBe('delayed: 451 4.4.1 no answer from host');
      expect(await codeStatusOf(db, messageId)).toBe('live');
      expect(await suppressionsIn(db)).toEqual([]);
      expect(notices).toEqual([
        { type: 'delivery.event', kind: 'bounce_transient', result: 'recorded', messageId, address: anna },
      ]);
      expect(await service.request({ address: anna, flow: 'another browser' })).toMatchObject({ ok: true });

      // A delay reported after the message failed for good leaves the failure's diagnostic alone.
      expect(await recorder.recordDeliveryEvent({ ...hardBounce, messageId })).toBe('applied');
      expect(await recorder.recordDeliveryEvent(delay)).toBe('recorded');
      expect((await messageOf(db, messageId)).last_error).toBe(`bounced: ${hardBounce.diagnostic}`);
    });

    it('suppresses the address of a complaint until removed, once', async () => {
      const { db, clock, service, recorder, notices, sentCode } = await makeRecorder();
      const messageId = await sentCode();
      const complaint = { kind: 'complaint', messageId, diagnostic: 'abuse report (feedback-type: abuse)' } as const;
      expect(await recorder.recordDeliveryEvent(complaint)).toBe('applied');
      expect(await recorder.recordDeliveryEvent(complaint)).toBe('recorded');
      expect(await suppressionsIn(db)).toEqual([
        {
          mailbox: anna,
          address: anna,
          cause: 'complaint',
          diagnostic: complaint.diagnostic,
          created_at: clock.ms,
          expires_at: null,
        },
      ]);
      // The message itself went out and stays sent.
      expect((await messageOf(db, messageId)).status).toBe('sent');
      expect(notices.map((notice) => notice.type === 'delivery.event' && notice.result)).toEqual([false, 'applied', 'recorded']);
      clock.advanceSeconds(3650 * 86_400);
      expect(await service.request({ address: anna })).toEqual({ ok: false, reason: 'undeliverable' });
    });

    it('records a confirmed delivery, keeping the first time it was reported', async () => {
      const { db, clock, recorder, sentCode } = await makeRecorder();
      const messageId = await sentCode();
      const deliveredAtMs = clock.ms;
      expect(await recorder.recordDeliveryEvent({ kind: 'delivered', messageId })).toBe('recorded');
      clock.advanceSeconds(60);
      expect(await recorder.recordDeliveryEvent({ kind: 'delivered', messageId })).toBe('recorded');
      const message = await messageOf(db, messageId);
      expect(Number(message.delivered_at)).toBe(deliveredAtMs);
      expect(message.status).toBe('sent');
      expect(await suppressionsIn(db)).toEqual([]);
    });

    it.each([
      { kind: 'bounce', permanent: true, diagnostic: '550' },
      { kind: 'bounce', permanent: false, diagnostic: '451' },
      { kind: 'complaint' },
      { kind: 'delivered' },
    ] as const)('answers unknown_message for a message it does not hold ($kind)', async (event) => {
      const { db, recorder, notices } = await makeRecorder();
      const messageId = '00000000-0000-4000-8000-000000000000';
      expect(await recorder.recordDeliveryEvent({ ...event, messageId })).toBe('unknown_message');
      expect(await suppressionsIn(db)).toEqual([]);
      expect(notices).toMatchObject([{ type: 'delivery.event', result: 'unknown_message', address: null }]);
    });
  });

  it.each([
    ['a NUL byte', '\u0000'],
    ['a huge id', 'x'.repeat(100_000)],
    ['an SQL fragment', "' or 1=1 --"],
    ['an upper-case id of no message', 'ABCDEF00-0000-4000-8000-000000000000'],
  ])('answers unknown_message for a message id that is %s, and logs no echo of it', async (_, messageId) => {
    const { db, recorder, notices, sentCode } = await makeRecorder();
    await sentCode();
    expect(await recorder.recordDeliveryEvent({ ...hardBounce, messageId })).toBe('unknown_message');
    expect(await recorder.recordDeliveryEvent({ kind: 'complaint', messageId })).toBe('unknown_message');
    expect(await suppressionsIn(db)).toEqual([]);
    for (const notice of notices) expect(notice).toMatchObject({ result: 'unknown_message', address: null });
    if (!/^[0-9a-f-]{36}$/i.test(messageId))
      expect(notices.map((notice) => 'messageId' in notice && notice.messageId)).toEqual(['malformed', 'malformed']);
  });

  describe('a request for a suppressed address', () => {
    it('is refused as undeliverable before anything is counted or queued', async () => {
      const { db, service, recorder, sentCode } = await makeRecorder();
      const messageId = await sentCode();
      await recorder.recordDeliveryEvent({ ...hardBounce, messageId });
      const messagesBefore = (await db.selectFrom('outbox_messages').select('id').execute()).length;

      expect(await service.request({ address: anna, flow: 'a fresh browser' })).toEqual({ ok: false, reason: 'undeliverable' });
      expect((await db.selectFrom('outbox_messages').select('id').execute()).length).toBe(messagesBefore);
      expect(await sendsCounted(db, anna)).toBe(0);
    });

    it('gets a code again once SUPPRESSION_DAYS have passed, and the sweeper removes the lapsed entry only', async () => {
      const { db, clock, service, recorder, sentCode } = await makeRecorder({}, 2);
      const bounced = await sentCode();
      const complained = await sentCode('carl@example.com');
      await recorder.recordDeliveryEvent({ ...hardBounce, messageId: bounced });
      await recorder.recordDeliveryEvent({ kind: 'complaint', messageId: complained });

      clock.advanceSeconds(2 * 86_400 - 1);
      expect(await service.request({ address: anna })).toEqual({ ok: false, reason: 'undeliverable' });
      clock.advanceSeconds(1);
      expect(await service.request({ address: anna })).toMatchObject({ ok: true });

      await sweepOnce(db, clock.nowMs(), 3_600_000);
      expect((await suppressionsIn(db)).map((row) => row.cause)).toEqual(['complaint']);
    });
  });
});

/** A second sent message to the first one's recipient, as if a later code had gone out (a new flow's). */
async function makeSecondMessageForTheSameMailbox(db: OtpDatabase, firstId: string): Promise<string> {
  const first = await db.selectFrom('outbox_messages').selectAll().where('id', '=', firstId).executeTakeFirstOrThrow();
  const id = '11111111-1111-4111-8111-111111111111';
  await db
    .insertInto('outbox_messages')
    .values({ ...first, id, status: 'sent', sealed_body: null })
    .execute();
  return id;
}
