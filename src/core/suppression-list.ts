import type { SuppressionCause } from './delivery-events.js';

/** One entry of the suppression list: an address that gets no mail, and why. */
export interface Suppression {
  /** The delivery key (deliveryKeyOf): the exact address, or at Gmail the inbox every alias reaches. */
  mailbox: string;
  /** The exact address that bounced, complained or was added, for display. */
  address: string;
  cause: SuppressionCause;
  /** What the mail system said (a bounce's diagnostic, a complaint's note), cleaned and truncated. */
  diagnostic: string | null;
  createdAtMs: number;
  /** When it lapses on its own; null: until an operator removes it (complaints, manual entries). */
  expiresAtMs: number | null;
}

/**
 * Port: the deployment-wide suppression list, as a request and the outbox worker read it. Read before a
 * code is issued (OtpService.request: nothing is queued for a suppressed address) and again just before
 * each send (the worker: mail queued before the address was suppressed is not sent).
 */
export interface SuppressionList {
  /** The entry in force for a delivery key (deliveryKeyOf) at `nowMs`, or null: one primary-key read. */
  findSuppression(mailbox: string, nowMs: number): Promise<Suppression | null>;
}

/** How long a permanent bounce keeps an address suppressed, unless configured (SUPPRESSION_DAYS). */
export const defaultSuppressionDays = 30;

const maxDiagnosticLength = 300;

/**
 * A diagnostic from a mail system, made safe to store, log and print: control characters (a hostile
 * report's CR/LF, escape sequences) become spaces, and it is cut short. Never the raw report.
 */
export function cleanDiagnostic(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  const text = raw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  if (text === '') return null;
  return text.length > maxDiagnosticLength ? `${text.slice(0, maxDiagnosticLength - 1)}…` : text;
}
