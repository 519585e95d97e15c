import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

/** An SMTP reply the test server gives instead of accepting, e.g. `{ code: 550, message: 'No such user' }`. */
export interface SmtpReply {
  code: number;
  message: string;
}

export interface SmtpTestServerOptions {
  /**
   * Port to listen on. Pass the port of a server you closed to bring "the same" server back up.
   * @default 0 — an ephemeral port, so parallel test files never collide
   */
  port?: number;
  /**
   * Called for each RCPT TO; return a reply to refuse that recipient, undefined to accept it.
   * 5xx is a permanent refusal (550 no such user); 421 also makes the server drop the connection,
   * like a server shutting down.
   */
  rejectRecipients?: (address: string) => SmtpReply | undefined;
  /** Called for each new connection; return a reply (421 "try later") to refuse it at the greeting. */
  rejectConnections?: () => SmtpReply | undefined;
  /** Called for each login; return a reply (535 "bad credentials") to refuse it. */
  rejectAuth?: (username: string) => SmtpReply | undefined;
}

/** Who delivered a message and to whom, as the SMTP conversation said (not the headers). */
export interface ReceivedEnvelope {
  from: string;
  to: string[];
  /** User name the client logged in with; any user name and password are accepted. */
  username?: string;
}

export interface SmtpTestServer {
  /** `smtp://127.0.0.1:PORT`, ready for `createSmtpTransport({ smtpUrl })` or SMTP_URL. */
  url: string;
  port: number;
  /** Accepted messages, parsed, in arrival order. */
  messages: ParsedMail[];
  /** The bytes of `messages[i]` exactly as the client sent them (after the DATA dot-unstuffing), for DKIM checks. */
  rawMessages: Buffer[];
  /** The envelope of `messages[i]` is `envelopes[i]`. */
  envelopes: ReceivedEnvelope[];
  /**
   * `MAIL FROM` and `RCPT TO` commands exactly as they came over the wire, in arrival order. The
   * envelopes above are smtp-server's reading of them, which turns a punycode domain back into Unicode.
   */
  envelopeCommands: string[];
  /** Resolves with all messages once at least `count` have arrived; rejects after `timeoutMs` (default 5000). */
  waitForMessages(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** Stops listening and drops open connections (pooled clients keep them open otherwise). */
  close(): Promise<void>;
}

/**
 * Starts a real SMTP server on loopback for tests: plain text (no STARTTLS), authentication
 * optional, every accepted message parsed with mailparser. Using a real server rather than a mock
 * tests what nodemailer actually writes on the wire, and lets a test make the server fail on purpose.
 *
 * @example
 *   const smtp = await startSmtpTestServer({
 *     rejectRecipients: (address) => (address.startsWith('nobody@') ? { code: 550, message: 'No such user' } : undefined),
 *   });
 *   try {
 *     const transport = createSmtpTransport({ smtpUrl: smtp.url });
 *     // … trigger a send …
 *     const [mail] = await smtp.waitForMessages(1);
 *     expect(mail?.text).toContain('Your code');
 *   } finally {
 *     await smtp.close();
 *   }
 */
export async function startSmtpTestServer(options: SmtpTestServerOptions = {}): Promise<SmtpTestServer> {
  const messages: ParsedMail[] = [];
  const rawMessages: Buffer[] = [];
  const envelopes: ReceivedEnvelope[] = [];
  const waiters = new Set<() => void>();

  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    // Clients in pool mode keep idle connections open; do not wait the default 30 s for them on close.
    closeTimeout: 100,
    onConnect(_session, callback) {
      callback(replyAsError(options.rejectConnections?.()));
    },
    onAuth(auth, _session, callback) {
      const refusal = replyAsError(options.rejectAuth?.(auth.username ?? ''));
      if (refusal !== undefined) callback(refusal);
      else callback(null, { user: auth.username ?? '' });
    },
    onRcptTo(address, _session, callback) {
      callback(replyAsError(options.rejectRecipients?.(address.address)));
    },
    onData(stream, session, callback) {
      buffer(stream)
        .then(async (raw) => ({ raw, mail: await simpleParser(raw) }))
        .then(({ raw, mail }) => {
          const envelope: ReceivedEnvelope = {
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
          };
          if (typeof session.user === 'string' && session.user !== '') envelope.username = session.user;
          messages.push(mail);
          rawMessages.push(raw);
          envelopes.push(envelope);
          for (const wake of waiters) wake();
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
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
  // A client hanging up mid-session is emitted as 'error'; unhandled, it would crash the test run.
  server.on('error', () => {});

  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    rawMessages,
    envelopes,
    envelopeCommands,
    waitForMessages(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Expected ${count} message(s) within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `MAIL FROM` and `RCPT TO` lines as they arrive at `server`, before smtp-server decodes them. */
export function recordEnvelopeCommands(server: SMTPServer): string[] {
  const envelopeCommands: string[] = [];
  // A second reader of each socket, beside smtp-server's own: it sees the bytes before any decoding.
  server.server.on('connection', (socket) => {
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\r\n');
      pending = lines.pop() ?? '';
      envelopeCommands.push(...lines.filter((line) => /^(MAIL FROM|RCPT TO):/i.test(line)));
    });
  });
  return envelopeCommands;
}

function replyAsError(reply: SmtpReply | undefined): SMTPServerError | undefined {
  if (reply === undefined) return undefined;
  const error: SMTPServerError = new Error(reply.message);
  error.responseCode = reply.code;
  return error;
}
