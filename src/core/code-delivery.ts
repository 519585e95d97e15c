import { z } from 'zod';

/**
 * What the core hands to the mail layer: everything a code email needs, nothing about how it is sent.
 * The outbox keeps it sealed as JSON and checks it against this schema when it comes back out of the
 * database, so a row of the wrong shape fails that one message, not the worker.
 */
export const codeEmailSchema = z.object({
  /** Normalised recipient address. */
  to: z.string().min(1),
  /** The plaintext code. It lives only in memory, sealed in the outbox, and in the email body. */
  code: z.string().min(1),
  purpose: z.string().min(1),
  /** Optional human-readable text the code is bound to ("Pay 120.00 EUR to ACME Ltd"). */
  context: z.string().optional(),
  /** Milliseconds since the epoch. */
  expiresAtMs: z.number().int(),
  ttlSeconds: z.number().int().positive(),
  /** The one-time link's token (a secret like the code): the mail layer turns it into an absolute URL. */
  linkToken: z.string().optional(),
  /** The language to write the email in (`en`, `de`); English when absent or unknown. */
  locale: z.string().optional(),
});

export type CodeEmail = z.infer<typeof codeEmailSchema>;

/**
 * Reads a code email back from its JSON text. The reason never quotes the text: it holds the code.
 */
export function parseCodeEmail(json: string): { ok: true; email: CodeEmail } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'the queued email is not JSON' };
  }
  const parsed = codeEmailSchema.safeParse(value);
  if (parsed.success) return { ok: true, email: parsed.data };
  const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))].join(', ');
  return { ok: false, reason: `the queued email is not a code email (bad fields: ${fields})` };
}

/**
 * Port: delivers a code email. Rejects when the transport could not accept the message; resolves with the
 * name of the transport that took it when the transport tells (the outbox records it on the message).
 */
export interface CodeDelivery {
  /** `outbox.messageId`: the outbox message (the code's id), so a later bounce can name it. */
  // biome-ignore lint/suspicious/noConfusingVoidType: deliveries written before receipts (Promise<void>) stay valid.
  deliverCode(email: CodeEmail, outbox?: { messageId: string }): Promise<{ transport: string } | undefined | void>;
}

/**
 * Where a code's email is: waiting in the outbox, handed to the mail server, or given up on. The one
 * list of outbox statuses: the store's column, its counts, the metrics and the API all take it from here.
 */
export const deliveryStatuses = ['queued', 'sending', 'sent', 'failed', 'expired'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];
