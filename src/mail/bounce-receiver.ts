import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { DeliveryEvents } from '../core/delivery-events.js';
import { type BounceAddress, verpTokenOf } from '../core/verp-address.js';
import type { OpenedVerpToken, VerpTokens } from '../core/verp-token.js';
import { takeBounceReport } from './bounce-report-intake.js';

export interface BounceReceiverOptions {
  /** Where to listen: BOUNCE_SMTP_HOST and BOUNCE_SMTP_PORT (0: an ephemeral port, for tests). */
  host: string;
  port: number;
  /** Larger messages are refused with 552 (BOUNCE_MAX_MESSAGE_BYTES). */
  maxMessageBytes: number;
  /** BOUNCE_ADDRESS: mail is accepted only for its VERP addresses. */
  bounceAddress: BounceAddress;
  verpTokens: VerpTokens;
  /** Where each report's verdict goes (the OtpService: withdraws the code, suppresses the address). */
  deliveryEvents: DeliveryEvents;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /**
   * Open connections at once; more are refused at the greeting (421) and the MTA retries later.
   * @default 50 — bounces trickle in; a flood must not hold sockets and memory without bound
   */
  maxConnections?: number;
  /**
   * A client silent this long is disconnected.
   * @default 60_000 — below RFC 5321's 5 minutes, as Postfix does under load: MTAs send promptly, and an
   *   internet-facing listener must not let idle sockets pile up
   */
  socketTimeoutMs?: number;
}

export interface BounceReceiver {
  host: string;
  /** The port it listens on (the real one when asked for 0). */
  port: number;
  /** Stops listening; open sessions get a moment to finish, then are dropped. */
  close(): Promise<void>;
}

/** An SMTP reply to give instead of 250. */
function smtpReply(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The inbound SMTP listener of the bounce domain: an MX that accepts mail only for valid VERP addresses
 * (`bounces+<token>@…`, the token's MAC checked at RCPT TO; anything else 550), reads the delivery-status
 * part of each report, and hands the verdict for the one message the token names to DeliveryEvents.
 *
 * What it refuses or ignores it logs, one line each, and never crashes on: a forged or unknown
 * address (550 at RCPT), an oversized message (552), mail that is not a DSN (an out-of-office reply:
 * accepted and ignored, so no one sends it again), a report about another address than the message's.
 * No AUTH: reporting MTAs do not log in to an MX; the token is the credential.
 */
export async function startBounceReceiver(options: BounceReceiverOptions): Promise<BounceReceiver> {
  const { logger, verpTokens, bounceAddress } = options;
  const openToken = (address: string): OpenedVerpToken | null => {
    const token = verpTokenOf(bounceAddress, address);
    return token === null ? null : verpTokens.open(token);
  };

  const server = new SMTPServer({
    logger: false,
    // An MX: nobody logs in; STARTTLS would need a certificate we do not manage (see docs/bounces.md).
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: options.maxMessageBytes,
    // One message per DSN; a second recipient waits for a transaction of its own (452, retried).
    maxRecipients: 1,
    maxClients: options.maxConnections ?? 50,
    socketTimeout: options.socketTimeoutMs ?? 60_000,
    closeTimeout: 5_000,
    // No reverse DNS per connection: nothing here uses the client's name.
    disableReverseLookup: true,
    banner: 'bounce receiver',
    onRcptTo(address, session, callback) {
      if (openToken(address.address) === null) {
        logger.warn(
          { event: 'bounce.rejected_recipient', remote: session.remoteAddress },
          'bounce receiver: 550 for a recipient that is no valid VERP address',
        );
        callback(smtpReply(550, '5.1.1 No such recipient'));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      readStream(stream, options.maxMessageBytes)
        .then(async (raw) => {
          if (raw === null) {
            logger.warn(
              { event: 'bounce.too_large', remote: session.remoteAddress, limitBytes: options.maxMessageBytes },
              'bounce receiver: 552 for an oversized message',
            );
            return callback(smtpReply(552, '5.3.4 Message too big'));
          }
          await handleMessage(raw, session);
          callback();
        })
        .catch((error: unknown) => {
          // The store could not take the event: 451 makes the reporting MTA try again later.
          logger.error({ event: 'bounce.record_failed', err: error }, 'bounce receiver: could not record a report; answered 451');
          callback(smtpReply(451, '4.3.0 Try again later'));
        });
    },
  });

  const handleMessage = async (raw: Buffer, session: SMTPServerSession): Promise<void> => {
    const rcpt = session.envelope.rcptTo[0]?.address;
    const token = rcpt === undefined ? null : openToken(rcpt);
    if (token === null) return; // onRcptTo let no other address through
    const intake = await takeBounceReport(raw, token, options.deliveryEvents);
    const messageId = token.messageId;
    if (intake.outcome === 'recorded') {
      const { event, status, result } = intake;
      // The status, never the diagnostic: it often quotes the address.
      const permanent = event.kind === 'bounce' ? event.permanent : undefined;
      logger.info({ event: 'bounce.received', messageId, kind: event.kind, permanent, status, result });
    } else if (intake.reason === 'no_verdict') {
      logger.info({ event: 'bounce.ignored', messageId, reason: intake.reason, action: intake.action, status: intake.status });
    } else {
      logger.warn({ event: 'bounce.ignored', messageId, reason: intake.reason }, ignoredWhy[intake.reason]);
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A client hanging up mid-session is an 'error' event; it must never take the process down.
  server.on('error', (error) =>
    logger.warn({ event: 'bounce.connection_error', err: error }, 'bounce receiver: a connection failed'),
  );
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: options.host,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const ignoredWhy = {
  not_a_report: 'bounce receiver: accepted and ignored mail that is no delivery status report',
  no_status: 'bounce receiver: accepted and ignored a report without a usable delivery-status part',
  unparseable: 'bounce receiver: accepted and ignored a message that is not MIME',
  other_recipient: 'bounce receiver: ignored a report about another address than its message was sent to',
} as const;

/** The message's bytes, or null when it went over the limit (the rest is drained, not kept). */
function readStream(stream: SMTPServerDataStream, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= maxBytes) chunks.push(chunk);
    });
    stream.once('error', reject);
    stream.once('end', () => resolve(stream.sizeExceeded || bytes > maxBytes ? null : Buffer.concat(chunks)));
  });
}
