/** One finished email, ready for a transport. Built by the mail layer, never by core. */
export interface OutgoingMessage {
  to: string;
  from: string;
  subject: string;
  /** Plain-text body. For code emails it holds the code, so transports must never log it. */
  text: string;
  /** HTML body; every interpolated value is already escaped. Holds the code too. */
  html: string;
  /**
   * The envelope sender (SMTP MAIL FROM, the Return-Path the receiver records), where bounces go; unset,
   * the From address. With BOUNCE_ADDRESS it is the message's own VERP address.
   */
  envelopeFrom?: string;
}

/** Which transport accepted a message: host:port, never credentials. */
export interface SendReceipt {
  transport: string;
}

/**
 * Port: the narrow slice of a mail library the app needs. Implemented by the SMTP transport and
 * by the dev mailbox; keeping it this small lets tests and the outbox worker swap them freely.
 */
export interface MailTransport {
  /**
   * Resolves once the server (or mailbox) has accepted the message; rejects with a body-free Error. A
   * transport that knows its name (host:port) resolves with a receipt naming it, which the outbox records.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: transports written before receipts (Promise<void>) stay valid.
  send(message: OutgoingMessage): Promise<SendReceipt | undefined | void>;
  /** Checks that the transport can reach and log in to its server, for a start-up self-test. */
  verify?(): Promise<void>;
  /** Releases connections; messages already handed over still finish. */
  close(): Promise<void>;
}
