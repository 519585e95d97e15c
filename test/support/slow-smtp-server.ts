import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { type ReceivedEnvelope, recordEnvelopeCommands, type SmtpTestServer } from './smtp-test-server.js';

export interface SlowSmtpServerOptions {
  /** How long the server sits on each message after its DATA arrived, before answering 250. */
  delayMs: number;
  /** @default 0 — an ephemeral port */
  port?: number;
}

export interface SlowSmtpServer extends SmtpTestServer {
  /** Messages whose DATA has arrived and that are waiting out their delay (no reply sent yet). */
  readonly receiving: number;
  /** Resolves once at least `count` messages are being received at once or were accepted; rejects after `timeoutMs`. */
  waitForReceiving(count: number, timeoutMs?: number): Promise<void>;
}

/**
 * A real SMTP server that is slow to accept: it reads each message, waits `delayMs`, then answers 250.
 * A message counts as received only if its 250 was written to a connection that was still open, so a
 * client killed during the delay leaves nothing in `messages` (like a real server that never finished
 * the transaction). Loopback, plain text, any login accepted.
 */
export async function startSlowSmtpServer(options: SlowSmtpServerOptions): Promise<SlowSmtpServer> {
  const messages: ParsedMail[] = [];
  const rawMessages: Buffer[] = [];
  const envelopes: ReceivedEnvelope[] = [];
  const closedSessions = new Set<string>();
  const waiters = new Set<() => void>();
  let receiving = 0;
  const wakeAll = (): void => {
    for (const wake of waiters) wake();
  };

  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? '' });
    },
    onClose(session) {
      closedSessions.add(session.id);
    },
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((recipient) => recipient.address);
      const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
      receiving++;
      wakeAll();
      buffer(stream)
        .then(async (raw) => {
          const mail = await simpleParser(raw);
          await new Promise((resolve) => setTimeout(resolve, options.delayMs));
          receiving--;
          if (closedSessions.has(session.id)) {
            callback(new Error('client went away'));
            return;
          }
          messages.push(mail);
          rawMessages.push(raw);
          envelopes.push({ from, to });
          wakeAll();
          callback();
        })
        .catch((error: unknown) => {
          receiving--;
          callback(error instanceof Error ? error : new Error(String(error)));
        });
    },
  });

  const envelopeCommands = recordEnvelopeCommands(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {});
  const port = (server.server.address() as AddressInfo).port;

  function waitUntil(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(describe()));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    rawMessages,
    envelopes,
    envelopeCommands,
    get receiving() {
      return receiving;
    },
    async waitForMessages(count, timeoutMs = 5000) {
      await waitUntil(
        () => messages.length >= count,
        timeoutMs,
        () => `Expected ${count} message(s) within ${timeoutMs} ms, got ${messages.length}`,
      );
      return messages;
    },
    waitForReceiving(count, timeoutMs = 5000) {
      return waitUntil(
        () => receiving + messages.length >= count,
        timeoutMs,
        () => `Expected ${count} message(s) under way within ${timeoutMs} ms, got ${receiving} (+${messages.length} accepted)`,
      );
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
