import { type AddressInfo, createServer, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { MailDeliveryError } from '../../src/mail/mail-delivery-error.js';
import type { MailTransport, OutgoingMessage } from '../../src/mail/outgoing-message.js';
import { createSmtpThreadTransport } from '../../src/mail/smtp-thread-transport.js';
import { createSmtpTransport, smtpOptionsFor } from '../../src/mail/smtp-transport.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';

const message: OutgoingMessage = {
  to: 'ada@example.com',
  from: 'otp-app <no-reply@example.com>',
  subject: 'Hello',
  text: 'secret body 918273',
  html: '<p>secret body 918273</p>',
};

describe('smtpOptionsFor', () => {
  it('connects to Gmail on 587 and insists on STARTTLS', () => {
    const options = smtpOptionsFor({ gmail: { address: 'me@gmail.com', appPassword: 'abcd efgh ijkl mnop' } });
    expect(options).toMatchObject({
      host: 'smtp.gmail.com',
      port: 587,
      secure: false,
      requireTLS: true,
      auth: { user: 'me@gmail.com', pass: 'abcdefghijklmnop' },
    });
  });

  it('reads host, port, TLS and credentials from SMTP_URL', () => {
    expect(smtpOptionsFor({ smtpUrl: 'smtps://user%40x:p%40ss@mail.example.com:465' })).toMatchObject({
      host: 'mail.example.com',
      port: 465,
      secure: true,
      auth: { user: 'user@x', pass: 'p@ss' },
    });
  });

  it('pools connections and bounds every wait, so a dead server cannot hold a delivery for minutes', () => {
    const options = smtpOptionsFor({ smtpUrl: 'smtp://mail.example.com:2525' });
    expect(options).toMatchObject({
      pool: true,
      maxConnections: 5,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 10_000,
      dnsTimeout: 10_000,
    });
  });

  it('keeps nodemailer logging off even when SMTP_URL asks for it, since it would log the codes', () => {
    const options = smtpOptionsFor({ smtpUrl: 'smtp://mail.example.com?logger=true&debug=true&transactionLog=true' });
    expect(options).toMatchObject({ logger: false, debug: false, transactionLog: false });
  });

  it('refuses a configuration with no transport or with two', () => {
    expect(() => smtpOptionsFor({})).toThrow(/SMTP_URL/);
    expect(() => smtpOptionsFor({ smtpUrl: 'smtp://h', gmail: { address: 'me@gmail.com', appPassword: 'x' } })).toThrow(
      /not both/,
    );
  });

  it('refuses a URL that is not smtp(s) without repeating the password', () => {
    expect(() => smtpOptionsFor({ smtpUrl: 'https://user:hunter2@mail.example.com' })).toThrow(/smtp:\/\//);
    const attempt = (): unknown => smtpOptionsFor({ smtpUrl: 'smtp://user:hunter2@[not a host' });
    expect(attempt).toThrow(/not a valid URL/);
    expect(attempt).not.toThrow(/hunter2/);
  });
});

// The same contract in the event loop and in a thread of its own (what the app runs).
describe.each([
  ['createSmtpTransport', createSmtpTransport],
  ['createSmtpThreadTransport', createSmtpThreadTransport],
])('%s', (_, createTransport) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startServer(options?: Parameters<typeof startSmtpTestServer>[0]) {
    const smtp = await startSmtpTestServer(options);
    cleanups.push(() => smtp.close());
    return smtp;
  }
  function transportFor(options: Parameters<typeof createSmtpTransport>[0]): MailTransport {
    const transport = createTransport(options);
    cleanups.push(() => transport.close());
    return transport;
  }

  it('delivers a message, logging in with the credentials from the URL', async () => {
    const smtp = await startServer();
    const transport = transportFor({ smtpUrl: smtp.url.replace('smtp://', 'smtp://mailer:pw@') });
    await transport.send(message);
    const [mail] = await smtp.waitForMessages(1);
    expect(mail?.subject).toBe('Hello');
    expect(mail?.text).toContain('secret body 918273');
    expect(mail?.headers.get('auto-submitted')).toBe('auto-generated');
    expect(smtp.envelopes[0]).toEqual({ from: 'no-reply@example.com', to: ['ada@example.com'], username: 'mailer' });
  });

  it("gives every message its own Message-ID at the sender's domain and a well-formed multipart body", async () => {
    const smtp = await startServer();
    const transport = transportFor({ smtpUrl: smtp.url });
    await transport.send({ ...message, from: 'otp-app <no-reply@mail.example.org>' });
    await transport.send(message);
    const mails = await smtp.waitForMessages(2);
    const ids = mails.map((mail) => mail.messageId);
    expect(ids[0]).toMatch(/^<[0-9a-f-]{36}@mail\.example\.org>$/);
    expect(ids[1]).toMatch(/@example\.com>$/);
    expect(ids[0]).not.toBe(ids[1]);
    // Both parts came through the boundary intact.
    for (const mail of mails) {
      expect(mail.text).toContain('secret body 918273');
      expect(mail.html).toBeTruthy();
    }
  });

  it('passes verify() against a live server', async () => {
    const smtp = await startServer();
    await expect(transportFor({ smtpUrl: smtp.url }).verify?.()).resolves.toBeUndefined();
  });

  it('rejects with the SMTP reply code and without the body when the server refuses', async () => {
    const smtp = await startServer({ rejectRecipients: () => ({ code: 550, message: 'No such user' }) });
    const error = await transportFor({ smtpUrl: smtp.url })
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect(error).toMatchObject({ responseCode: 550, message: 'SMTP server refused the message: 550 No such user' });
    expect(String((error as Error).message)).not.toContain('918273');
  });

  it('reports a 421 as such, so it can be retried later', async () => {
    const smtp = await startServer({ rejectConnections: () => ({ code: 421, message: 'Too busy, try later' }) });
    const error = await transportFor({ smtpUrl: smtp.url })
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'MailDeliveryError', responseCode: 421 });
  });

  it('rejects quickly when nothing listens on the port', async () => {
    const smtp = await startSmtpTestServer();
    await smtp.close();
    const startedAt = Date.now();
    const error = await transportFor({ smtpUrl: smtp.url, timeoutMs: 500 })
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'MailDeliveryError', errorCode: 'ESOCKET' });
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('gives up after the timeout on a server that accepts the connection but never speaks', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const { port } = silent.address() as AddressInfo;
    const startedAt = Date.now();
    const error = await transportFor({ smtpUrl: `smtp://127.0.0.1:${port}`, timeoutMs: 300 })
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'MailDeliveryError', errorCode: 'ETIMEDOUT' });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('delivers again once a server that was down comes back on the same port', async () => {
    const first = await startSmtpTestServer();
    const { port } = first;
    await first.close();
    const transport = transportFor({ smtpUrl: `smtp://127.0.0.1:${port}`, timeoutMs: 500 });
    await expect(transport.send(message)).rejects.toBeInstanceOf(MailDeliveryError);
    const revived = await startServer({ port });
    await transport.send(message);
    expect(await revived.waitForMessages(1)).toHaveLength(1);
  });
});

describe('createSmtpThreadTransport close()', () => {
  it('lets a send already handed over finish, then ends the thread', async () => {
    let dataStarted!: () => void;
    const inData = new Promise<void>((resolve) => (dataStarted = resolve));
    let acceptData!: () => void;
    const dataAccepted = new Promise<void>((resolve) => (acceptData = resolve));
    const received: string[] = [];
    // A server that holds each message's data unanswered until the test lets it go: the send is under
    // way for as long as the test needs, with no timing involved.
    const slow = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        dataStarted();
        stream.resume();
        stream.on('end', () => {
          void dataAccepted.then(() => {
            received.push(session.envelope.rcptTo.map((rcpt) => rcpt.address).join(','));
            callback();
          });
        });
      },
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = slow.server.address() as AddressInfo;
      const transport = createSmtpThreadTransport({ smtpUrl: `smtp://127.0.0.1:${port}` });
      const sent = transport.send(message);
      await inData;
      const closed = transport.close();
      // Only now does the server answer the data: a close that did not wait would have cut the send off.
      acceptData();
      await expect(sent).resolves.toBeUndefined();
      await closed;
      expect(received).toEqual(['ada@example.com']);
    } finally {
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});
