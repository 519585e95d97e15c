import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { SendMailOptions, SMTPPoolOptions } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import type { DkimSigningKey } from './dkim-signing-key.js';
import { toMailDeliveryError } from './mail-delivery-error.js';
import type { MailTransport, OutgoingMessage } from './outgoing-message.js';
import { senderDomain } from './sender-domain.js';

export type { DkimSigningKey };

export interface SmtpTransportOptions {
  /** Any nodemailer connection URL: `smtp://user:pass@host:587`, `smtps://user:pass@host:465`. */
  smtpUrl?: string;
  /** The seed app's setup: a Gmail address and a Google app password (smtp.gmail.com:587, STARTTLS). */
  gmail?: { address: string; appPassword: string };
  /**
   * Longest wait for connecting, the greeting, DNS, and any silence mid-conversation.
   * @default 10_000 — a dead server fails a delivery in seconds instead of holding it for minutes
   */
  timeoutMs?: number;
  /**
   * Connections kept open and reused.
   * @default 5 — enough for bursts, few enough that providers do not throttle us
   */
  maxConnections?: number;
  /**
   * Sign every message with DKIM (relaxed/relaxed, rsa-sha256). The transport is the one place that sees
   * the finished message, so signing here covers every email, whatever built it.
   */
  dkim?: DkimSigningKey;
}

const defaultTimeoutMs = 10_000;
const defaultMaxConnections = 5;

/**
 * The nodemailer options for a configuration, without connecting. Pure, so the choice of host,
 * port and TLS can be tested without a network.
 *
 * @throws Error when neither or both of `smtpUrl` and `gmail` are given, or the URL is not smtp(s).
 */
export function smtpOptionsFor(options: SmtpTransportOptions): SMTPPoolOptions & { pool: true } {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const defaults: SMTPPoolOptions = {
    maxConnections: options.maxConnections ?? defaultMaxConnections,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    // The outbox is the one retry layer, with its backoff, lease and record of attempts; the pool's own
    // silent re-queueing would hide tries and stretch a send past its lease.
    maxRequeues: 0,
  };
  return {
    ...defaults,
    ...connectionOptionsFor(options),
    ...(options.dkim === undefined
      ? {}
      : {
          dkim: { domainName: options.dkim.domain, keySelector: options.dkim.selector, privateKey: options.dkim.privateKeyPem },
        }),
    pool: true,
    // nodemailer's logger would print whole SMTP sessions, message bodies and so the codes with them.
    // Set last so a `?logger=true` in SMTP_URL cannot turn it back on.
    logger: false,
    debug: false,
    transactionLog: false,
    // Our HTML is self-contained; never let a crafted value make nodemailer read files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function connectionOptionsFor(options: SmtpTransportOptions): SMTPPoolOptions {
  const { smtpUrl, gmail } = options;
  if (smtpUrl !== undefined && gmail !== undefined) {
    throw new Error('Configure one mail transport: SMTP_URL or GMAIL_ADDRESS/GMAIL_APP_PASSWORD, not both');
  }
  if (gmail !== undefined) {
    return {
      host: 'smtp.gmail.com',
      port: 587,
      secure: false,
      // Port 587 starts in plain text; refuse to send the password or the code unless STARTTLS succeeds.
      requireTLS: true,
      // Google shows app passwords in groups of four ("abcd efgh ijkl mnop"); people paste the spaces.
      auth: { user: gmail.address, pass: gmail.appPassword.replace(/\s+/g, '') },
    };
  }
  if (smtpUrl !== undefined) return parseSmtpUrl(smtpUrl);
  throw new Error('No mail transport configured: set SMTP_URL or GMAIL_ADDRESS and GMAIL_APP_PASSWORD');
}

function parseSmtpUrl(smtpUrl: string): SMTPPoolOptions {
  // Errors from URL parsing carry the input, password included; never let them reach a log.
  let protocol: string;
  try {
    protocol = new URL(smtpUrl).protocol;
  } catch {
    throw new Error('SMTP_URL is not a valid URL; expected smtp://user:pass@host:port or smtps://…');
  }
  if (protocol !== 'smtp:' && protocol !== 'smtps:') {
    throw new Error(`SMTP_URL must start with smtp:// or smtps://, not ${protocol}//`);
  }
  return parseConnectionUrl(smtpUrl) as SMTPPoolOptions;
}

/**
 * A pooled SMTP transport. Rejections are MailDeliveryErrors whose text comes from the SMTP reply
 * only, never from the message.
 *
 * @example
 *   const transport = createSmtpTransport({ smtpUrl: 'smtp://user:pass@mail.example.com:587' });
 *   await transport.send({ to, from, subject, text, html });
 *   await transport.close();
 */
export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  // Loaded on first use: the app sends from a thread (smtp-thread-transport.ts), and nodemailer is ≈6 MB
  // of the main thread's RSS that would then be spent for nothing.
  const nodemailer = createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer');
  const transporter = nodemailer.createTransport(smtpOptionsFor(options));
  return {
    async send(message: OutgoingMessage): Promise<void> {
      try {
        await transporter.sendMail(mailOptionsFor(message));
      } catch (error) {
        throw toMailDeliveryError(error);
      }
    },
    async verify(): Promise<void> {
      try {
        await transporter.verify();
      } catch (error) {
        throw toMailDeliveryError(error);
      }
    },
    async close(): Promise<void> {
      transporter.close();
    },
  };
}

/** What nodemailer's sendMail gets for a message: the message, its Message-ID and MIME boundary, our headers. */
export function mailOptionsFor(outgoing: OutgoingMessage): SendMailOptions {
  const { envelopeFrom, ...message } = outgoing;
  // nodemailer would make the Message-ID and the MIME boundary from six randomBytes() calls, each a
  // trip to the system's random source (≈8 µs here); a UUID comes from Node's pooled buffer.
  const id = randomUUID();
  return {
    ...message,
    // The VERP address takes the bounces; the From header stays what the reader sees.
    ...(envelopeFrom === undefined ? {} : { envelope: { from: envelopeFrom, to: message.to } }),
    messageId: `<${id}@${senderDomain(message.from) ?? 'localhost'}>`,
    baseBoundary: id.replaceAll('-', ''),
    headers: {
      // Every message we send is machine-made; this stops out-of-office replies (RFC 3834).
      'Auto-Submitted': 'auto-generated',
      // Exchange and Outlook ignore Auto-Submitted; this keeps their auto-replies and receipts away too.
      'X-Auto-Response-Suppress': 'All',
    },
  };
}
