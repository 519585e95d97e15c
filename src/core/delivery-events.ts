/**
 * What a mail system says about a code email after it accepted it: a delivery status notification
 * (RFC 3464) that came back to the bounce address, or a provider's webhook. The receiver that read it
 * (src/mail bounce receiver, the API webhook) has already authenticated it and found the message it
 * names; the core decides what it means for the code and the address.
 */
export type DeliveryEvent =
  /** The message can never be delivered (status 5.x.x, action `failed`): its code is withdrawn, the address suppressed. */
  | { kind: 'bounce'; permanent: true; messageId: string; diagnostic: string }
  /** Delivery is delayed or failed for now (4.x.x, action `delayed`): recorded only. */
  | { kind: 'bounce'; permanent: false; messageId: string; diagnostic: string }
  /** The recipient reported the message as spam: the address is suppressed until an operator removes it. */
  | { kind: 'complaint'; messageId: string; diagnostic?: string }
  /** The receiving system confirmed delivery. Recorded only. */
  | { kind: 'delivered'; messageId: string };

export type DeliveryEventKind = DeliveryEvent['kind'];

/**
 * What became of an event: `applied` changed something (a code withdrawn, an address suppressed),
 * `recorded` was noted on the message, `unknown_message` names no message we hold (swept, or never ours).
 */
export type DeliveryEventResult = 'applied' | 'recorded' | 'unknown_message';

/** Why an address is on the suppression list. */
export const suppressionCauses = ['bounce', 'complaint', 'manual'] as const;
export type SuppressionCause = (typeof suppressionCauses)[number];

/** Port: where receivers hand what they read. Implemented by DeliveryEventRecorder (delivery-event-recorder.ts), as `runtime.deliveryEvents`. */
export interface DeliveryEvents {
  recordDeliveryEvent(event: DeliveryEvent): Promise<DeliveryEventResult>;
}
