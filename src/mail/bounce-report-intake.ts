import type { DeliveryEvent, DeliveryEventResult, DeliveryEvents } from '../core/delivery-events.js';
import type { OpenedVerpToken } from '../core/verp-token.js';
import { readBounceMessage } from './bounce-message.js';
import { type RecipientStatus, verdictOf } from './delivery-status-report.js';

/** What became of one message that came to a valid VERP address. */
export type BounceIntake =
  | { outcome: 'recorded'; event: DeliveryEvent; status: string; result: DeliveryEventResult }
  | { outcome: 'ignored'; reason: 'not_a_report' | 'no_status' | 'unparseable' | 'other_recipient' }
  | { outcome: 'ignored'; reason: 'no_verdict'; action: string; status: string };

/**
 * Reads a report sent to the VERP address of `token` and hands its verdict for that one message to
 * DeliveryEvents. Only a recipient block about the address the message went to counts (Original-Recipient
 * is what we sent to; Final-Recipient may be an alias's target, so either may match).
 *
 * @throws whatever DeliveryEvents throws (the store is down): the receiver answers 451 and the MTA retries
 */
export async function takeBounceReport(
  raw: Buffer,
  token: OpenedVerpToken,
  deliveryEvents: DeliveryEvents,
): Promise<BounceIntake> {
  const message = await readBounceMessage(raw);
  if (!message.ok) return { outcome: 'ignored', reason: message.reason };
  const recipient = message.report.recipients.find((block) =>
    [block.originalRecipient, block.finalRecipient].some((address) => address !== undefined && token.isForRecipient(address)),
  );
  if (recipient === undefined) return { outcome: 'ignored', reason: 'other_recipient' };
  const event = deliveryEventOf(token.messageId, recipient);
  if (event === null) return { outcome: 'ignored', reason: 'no_verdict', action: recipient.action, status: recipient.status };
  return { outcome: 'recorded', event, status: recipient.status, result: await deliveryEvents.recordDeliveryEvent(event) };
}

function deliveryEventOf(messageId: string, recipient: RecipientStatus): DeliveryEvent | null {
  const verdict = verdictOf(recipient);
  if (verdict.kind === 'delivered') return { kind: 'delivered', messageId };
  if (verdict.kind === 'none') return null;
  const diagnostic = recipient.diagnostic ?? `status ${recipient.status}`;
  return verdict.permanent
    ? { kind: 'bounce', permanent: true, messageId, diagnostic }
    : { kind: 'bounce', permanent: false, messageId, diagnostic };
}
