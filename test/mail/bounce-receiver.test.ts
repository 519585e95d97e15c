import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import type { DeliveryEvent } from '../../src/core/delivery-events.js';
import { SecretKeyring } from '../../src/core/secret-keyring.js';
import { type BounceAddress, verpAddress } from '../../src/core/verp-address.js';
import { VerpTokens } from '../../src/core/verp-token.js';
import { type BounceReceiver, startBounceReceiver } from '../../src/mail/bounce-receiver.js';
import { createLogger } from '../../src/ops/logger.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { type DsnFixtureName, dsnFixture, RecordingDeliveryEvents } from '../support/dsn-fixtures.js';

const secret = 'bounce-receiver-test-secret-0123456789abcdef';
const bounceAddress: BounceAddress = { localPart: 'bounces', domain: 'mail.example.com' };
const recipient = 'anna@recipient.example';

interface Harness {
  receiver: BounceReceiver;
  events: RecordingDeliveryEvents;
  logLines: Record<string, unknown>[];
  tokens: VerpTokens;
  /** A fresh message id and its VERP address, as the mailer would have made them. */
  message(to?: string): { messageId: string; verp: string };
  /** Sends `raw` from the null sender to `to`, as a reporting MTA does; resolves with the final reply. */
  send(
    to: string,
    raw: string | Buffer,
  ): Promise<{ ok: true } | { ok: false; responseCode: number | undefined; message: string }>;
}

describe('the bounce receiver, over a real SMTP connection', () => {
  const opened = closedAfterEach();

  async function startHarness(
    options: { maxMessageBytes?: number; secrets?: [string, ...string[]]; maxConnections?: number } = {},
  ): Promise<Harness> {
    const [current, ...old] = options.secrets ?? [secret];
    const tokens = new VerpTokens(new SecretKeyring(current, old, 'verp token v1'));
    const events = new RecordingDeliveryEvents();
    const logLines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => void logLines.push(JSON.parse(line)) });
    const receiver = opened.add(
      await startBounceReceiver({
        host: '127.0.0.1',
        port: 0,
        maxMessageBytes: options.maxMessageBytes ?? 256 * 1024,
        bounceAddress,
        verpTokens: tokens,
        deliveryEvents: events,
        logger,
        ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
      }),
    );
    const mta = nodemailer.createTransport({
      host: '127.0.0.1',
      port: receiver.port,
      secure: false,
      ignoreTLS: true,
      logger: false,
    });
    opened.add({ close: async () => mta.close() });
    return {
      receiver,
      events,
      logLines,
      tokens,
      message(to = recipient) {
        const messageId = randomUUID();
        return { messageId, verp: verpAddress(bounceAddress, tokens.issue(messageId, to)) };
      },
      async send(to, raw) {
        try {
          await mta.sendMail({ envelope: { from: '', to: [to] }, raw });
          return { ok: true };
        } catch (error) {
          const failure = error as { responseCode?: number; message: string };
          return { ok: false, responseCode: failure.responseCode, message: failure.message };
        }
      },
    };
  }

  const expectations: [DsnFixtureName, (messageId: string) => DeliveryEvent][] = [
    [
      'postfix-failed',
      (messageId) => ({
        kind: 'bounce',
        permanent: true,
        messageId,
        diagnostic: `550 5.1.1 <${recipient}>: Recipient address rejected: User unknown in virtual mailbox table`,
      }),
    ],
    [
      'postfix-delayed',
      (messageId) => ({
        kind: 'bounce',
        permanent: false,
        messageId,
        diagnostic: 'connect to mx.recipient.example[198.51.100.7]:25: Connection timed out',
      }),
    ],
    ['exim-failed', (messageId) => ({ kind: 'bounce', permanent: true, messageId, diagnostic: '550 No such mailbox' })],
    [
      'gmail-failed',
      (messageId) => ({
        kind: 'bounce',
        permanent: true,
        messageId,
        diagnostic: expect.stringMatching(/^550-5\.1\.1 The email account that you tried to reach does not exist\. .* - gsmtp$/),
      }),
    ],
    [
      'exchange-failed',
      (messageId) => ({
        kind: 'bounce',
        permanent: true,
        messageId,
        diagnostic: '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
      }),
    ],
    [
      'exchange-expired',
      (messageId) => ({ kind: 'bounce', permanent: false, messageId, diagnostic: expect.stringMatching(/^400 4\.4\.7 /) }),
    ],
  ];

  it.each(expectations)('turns a %s report into the right delivery event', async (fixture, expected) => {
    const harness = await startHarness();
    const { messageId, verp } = harness.message();
    expect(await harness.send(verp, dsnFixture(fixture, { verp, recipient }))).toEqual({ ok: true });
    expect(harness.events.events).toEqual([expected(messageId)]);
    expect(harness.logLines).toContainEqual(expect.objectContaining({ event: 'bounce.received', messageId }));
  });

  it('matches the recipient whatever case the reporting MTA spells it in, and takes an upper-cased VERP address', async () => {
    const harness = await startHarness();
    const { messageId, verp } = harness.message();
    const raw = dsnFixture('postfix-failed', { verp, recipient: recipient.toUpperCase() });
    expect(await harness.send(verp.toUpperCase(), raw)).toEqual({ ok: true });
    expect(harness.events.events).toMatchObject([{ kind: 'bounce', permanent: true, messageId }]);
  });

  it('answers 550 at RCPT TO for an address that is not a VERP address of the bounce domain', async () => {
    const harness = await startHarness();
    const { verp } = harness.message();
    const raw = dsnFixture('postfix-failed', { verp, recipient });
    for (const address of [
      'bounces@mail.example.com',
      'postmaster@mail.example.com',
      verp.replace('mail.example.com', 'other.example'),
    ]) {
      expect(await harness.send(address, raw)).toMatchObject({ ok: false, responseCode: 550 });
    }
    expect(harness.events.events).toEqual([]);
    expect(harness.logLines.filter((line) => line.event === 'bounce.rejected_recipient')).toHaveLength(3);
  });

  it('answers 550 at RCPT TO for a forged or tampered token', async () => {
    const harness = await startHarness();
    const { verp } = harness.message();
    const token = verp.slice('bounces+'.length, verp.indexOf('@'));
    const flipped = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`;
    const otherKey = new VerpTokens(new SecretKeyring('a-different-secret-key-0123456789abcdef', [], 'verp token v1'));
    const forged = [
      verpAddress(bounceAddress, flipped),
      verpAddress(bounceAddress, otherKey.issue(randomUUID(), recipient)),
      verpAddress(bounceAddress, 'a'.repeat(48)),
    ];
    for (const address of forged) {
      expect(await harness.send(address, dsnFixture('postfix-failed', { verp: address, recipient }))).toMatchObject({
        ok: false,
        responseCode: 550,
      });
    }
    expect(harness.events.events).toEqual([]);
  });

  it('accepts reports for tokens made under an old secret (OLD_SECRET_KEYS)', async () => {
    const before = new VerpTokens(new SecretKeyring('the-secret-before-rotation-0123456789ab', [], 'verp token v1'));
    const harness = await startHarness({ secrets: [secret, 'the-secret-before-rotation-0123456789ab'] });
    const messageId = randomUUID();
    const verp = verpAddress(bounceAddress, before.issue(messageId, recipient));
    expect(await harness.send(verp, dsnFixture('exim-failed', { verp, recipient }))).toEqual({ ok: true });
    expect(harness.events.events).toMatchObject([{ messageId, permanent: true }]);
  });

  it('answers 552 for a message over the size limit, and records nothing', async () => {
    const harness = await startHarness({ maxMessageBytes: 16 * 1024 });
    const { verp } = harness.message();
    const padding = `${'x'.repeat(76)}\r\n`.repeat(300);
    const raw = dsnFixture('postfix-failed', { verp, recipient }).replace(
      'This is the mail system',
      `${padding}This is the mail system`,
    );
    expect(await harness.send(verp, raw)).toMatchObject({ ok: false, responseCode: 552 });
    expect(harness.events.events).toEqual([]);
    expect(harness.logLines).toContainEqual(expect.objectContaining({ event: 'bounce.too_large', limitBytes: 16 * 1024 }));
  });

  it('accepts and ignores, with a log line, mail that is no report: an out-of-office reply, garbage', async () => {
    const harness = await startHarness();
    const { messageId, verp } = harness.message();
    expect(await harness.send(verp, dsnFixture('out-of-office', { verp, recipient }))).toEqual({ ok: true });
    expect(await harness.send(verp, Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x80, 0x3a, 0x3a, 0x0d, 0x0a]))).toEqual({
      ok: true,
    });
    const brokenReport =
      'Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nnonsense\r\n';
    expect(await harness.send(verp, brokenReport)).toEqual({ ok: true });
    expect(harness.events.events).toEqual([]);
    const ignored = harness.logLines.filter((line) => line.event === 'bounce.ignored');
    expect(ignored.map((line) => [line.reason, line.messageId])).toEqual([
      ['not_a_report', messageId],
      ['not_a_report', messageId],
      ['no_status', messageId],
    ]);
  });

  it('ignores, with a log line, a report about another address than the message was sent to', async () => {
    const harness = await startHarness();
    const { messageId, verp } = harness.message();
    expect(await harness.send(verp, dsnFixture('postfix-failed', { verp, recipient: 'bob@recipient.example' }))).toEqual({
      ok: true,
    });
    expect(harness.events.events).toEqual([]);
    expect(harness.logLines).toContainEqual(
      expect.objectContaining({ event: 'bounce.ignored', reason: 'other_recipient', messageId }),
    );
  });

  it('answers 451 when the event cannot be recorded, so the MTA retries; the next report goes through', async () => {
    const harness = await startHarness();
    const { messageId, verp } = harness.message();
    harness.events.failNext = true;
    const raw = dsnFixture('gmail-failed', { verp, recipient });
    expect(await harness.send(verp, raw)).toMatchObject({ ok: false, responseCode: 451 });
    expect(await harness.send(verp, raw)).toEqual({ ok: true });
    expect(harness.events.events).toMatchObject([{ messageId }]);
    expect(harness.logLines).toContainEqual(expect.objectContaining({ event: 'bounce.record_failed' }));
  });

  it('refuses connections past its limit with 421, and takes new ones once a client leaves', async () => {
    const harness = await startHarness({ maxConnections: 2 });
    const first = await greeting(harness.receiver.port);
    const second = await greeting(harness.receiver.port);
    expect([first.line, second.line]).toEqual([expect.stringMatching(/^220 /), expect.stringMatching(/^220 /)]);
    const third = await greeting(harness.receiver.port);
    expect(third.line).toMatch(/^421 /);
    for (const { socket } of [first, second, third]) socket.destroy();
    await expect
      .poll(async () => {
        const next = await greeting(harness.receiver.port);
        next.socket.destroy();
        return next.line;
      })
      .toMatch(/^220 /);
  });

  it('survives garbage on the wire and a client that hangs up mid-message, and still serves the next one', async () => {
    const harness = await startHarness();
    const replies = await rawSession(harness.receiver.port, [
      '\x00\xff\xfe garbage',
      'EHLO mta.test',
      'MAIL FROM:<>',
      `RCPT TO:<${harness.message().verp}>`,
      'DATA',
      'Subject: cut short',
    ]);
    expect(replies).toMatch(/^220 /);
    expect(replies).toMatch(/\r\n354 /);
    const { messageId, verp } = harness.message();
    expect(await harness.send(verp, dsnFixture('postfix-failed', { verp, recipient }))).toEqual({ ok: true });
    expect(harness.events.events).toMatchObject([{ messageId }]);
  });
});

/** Opens a connection and resolves with the server's first reply line (its greeting, or a refusal). */
function greeting(port: number): Promise<{ line: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n');
      if (end >= 0) resolve({ line: received.slice(0, end), socket });
    });
    socket.on('error', reject);
  });
}

/** Writes each line, waits for the server's replies to them, then drops the connection mid-session. */
function rawSession(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let sent = false;
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (!sent && received.includes('\r\n')) {
        sent = true;
        socket.write(lines.map((line) => `${line}\r\n`).join(''), 'latin1');
      }
      if (/\r\n354 /.test(received)) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}
