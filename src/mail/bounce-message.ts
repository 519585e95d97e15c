import { simpleParser } from 'mailparser';
import { type DeliveryStatusReport, parseDeliveryStatus } from './delivery-status-report.js';

/** What a message that came to the bounce address turned out to be. */
export type BounceMessage =
  | { ok: true; report: DeliveryStatusReport }
  /**
   * `not_a_report`: no `multipart/report; report-type=delivery-status` (an out-of-office reply, spam);
   * `no_status`: a report without a usable delivery-status part; `unparseable`: not a MIME message at all.
   */
  | { ok: false; reason: 'not_a_report' | 'no_status' | 'unparseable' };

/** The delivery-status part types: RFC 3464, and RFC 6533's for reports about SMTPUTF8 mail. */
const statusPartTypes = new Set(['message/delivery-status', 'message/global-delivery-status']);

/**
 * Reads a DSN (RFC 3464): the top-level `multipart/report; report-type=delivery-status` and its
 * delivery-status part. The rest of the report — the human text, the returned original, which holds
 * the code — is never looked at or logged.
 */
export async function readBounceMessage(raw: Buffer): Promise<BounceMessage> {
  let parsed: Awaited<ReturnType<typeof simpleParser>>;
  try {
    parsed = await simpleParser(raw, {
      // The delivery-status part as an attachment of its own, not folded into the text.
      keepDeliveryStatus: true,
      // Only the status part is read: skip the work mailparser would do for the human parts.
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      checksumAlgo: false,
    } as Parameters<typeof simpleParser>[1]);
  } catch {
    return { ok: false, reason: 'unparseable' };
  }
  const contentType = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const isReport =
    contentType?.value?.toLowerCase() === 'multipart/report' &&
    contentType.params?.['report-type']?.toLowerCase() === 'delivery-status';
  if (!isReport) return { ok: false, reason: 'not_a_report' };
  const statusPart = parsed.attachments.find((part) => statusPartTypes.has(part.contentType.toLowerCase()));
  const report = statusPart === undefined ? null : parseDeliveryStatus(statusPart.content.toString('utf8'));
  return report === null ? { ok: false, reason: 'no_status' } : { ok: true, report };
}
