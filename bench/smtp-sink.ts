import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  /** Messages accepted so far. */
  readonly received: number;
  /** The last code mailed to `address`, waiting for it to arrive (at most `timeoutMs`). */
  codeFor(address: string, timeoutMs?: number): Promise<string>;
  /** Resolves once `count` messages have arrived in total, or after `timeoutMs` (returns the count then). */
  waitForTotal(count: number, timeoutMs: number): Promise<number>;
  /** Resolves once no message has arrived for `quietMs` (at most `timeoutMs`): mail from earlier runs is in. */
  settle(quietMs?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

// The plain-text part reads "Your code for <app>:\n\n    123456"; CRLF on the wire.
const codeInText = /code for [^\r\n]*:\r?\n\r?\n\s+(\d{6,10})\r?\n/;

/**
 * A loopback SMTP server that keeps only the last code per recipient: no MIME parsing, so the sink
 * costs the shared CPU as little as possible while the server under test sends to it.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const codes = new Map<string, string>();
  const waiters = new Map<string, Set<(code: string) => void>>();
  const totalWaiters = new Set<() => void>();
  let received = 0;

  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    closeTimeout: 100,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const code = codeInText.exec(Buffer.concat(chunks).toString('latin1'))?.[1];
        for (const recipient of session.envelope.rcptTo) {
          const address = recipient.address;
          if (code !== undefined) codes.set(address, code);
          for (const wake of waiters.get(address) ?? []) wake(code ?? '');
          waiters.delete(address);
        }
        received++;
        for (const wake of totalWaiters) wake();
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    get received() {
      return received;
    },
    codeFor(address, timeoutMs = 10_000) {
      const known = codes.get(address);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail for ${address} within ${timeoutMs} ms`)), timeoutMs);
        const wake = (code: string) => {
          clearTimeout(timer);
          resolve(code);
        };
        const set = waiters.get(address) ?? new Set();
        set.add(wake);
        waiters.set(address, set);
      });
    },
    waitForTotal(count, timeoutMs) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          totalWaiters.delete(check);
          resolve(received);
        };
        const check = () => {
          if (received >= count) done();
        };
        const timer = setTimeout(done, timeoutMs);
        totalWaiters.add(check);
        check();
      });
    },
    async settle(quietMs = 1000, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let seen = -1;
      while (seen !== received && Date.now() < deadline) {
        seen = received;
        await new Promise((resolve) => setTimeout(resolve, quietMs));
      }
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
