/** What the core hands to the mail layer: everything a code email needs, nothing about how it is sent. */
export interface CodeEmail {
  /** Normalised recipient address. */
  to: string;
  /** The plaintext code. It lives only in memory, sealed in the outbox, and in the email body. */
  code: string;
  purpose: string;
  /** Optional human-readable text the code is bound to ("Pay 120.00 EUR to ACME Ltd"). */
  context?: string;
  /** Milliseconds since the epoch. */
  expiresAtMs: number;
  ttlSeconds: number;
  /** The one-time link's token (a secret like the code): the mail layer turns it into an absolute URL. */
  linkToken?: string;
  /** The language to write the email in (`en`, `de`); English when absent or unknown. */
  locale?: string;
}

/** Port: delivers a code email. Rejects when the transport could not accept the message. */
export interface CodeDelivery {
  deliverCode(email: CodeEmail): Promise<void>;
}

/** Where a code's email is: waiting in the outbox, handed to the mail server, or given up on. */
export const deliveryStatuses = ['queued', 'sending', 'sent', 'failed', 'expired'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];
