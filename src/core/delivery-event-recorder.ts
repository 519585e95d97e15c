import type { Clock } from './clock.js';
import type { DeliveryEventStore } from './delivery-event-store.js';
import type { DeliveryEvent, DeliveryEventResult, DeliveryEvents, SuppressionCause } from './delivery-events.js';
import { cleanDiagnostic } from './suppression-list.js';

/** The kind of a delivery event as logs and metrics name it: a bounce says whether it was permanent. */
export type DeliveryEventLabel = 'bounce_permanent' | 'bounce_transient' | 'complaint' | 'delivered';

export type DeliveryEventNotice =
  | { type: 'delivery.event'; kind: DeliveryEventLabel; result: DeliveryEventResult; messageId: string; address: string | null }
  | { type: 'address.suppressed'; address: string; cause: SuppressionCause; expiresAtMs: number | null };

export interface DeliveryEventRecorderDependencies {
  store: DeliveryEventStore;
  clock: Clock;
  /** How long a permanent bounce suppresses its address (SUPPRESSION_DAYS). */
  suppressionDays: number;
  /** The send-cap window, to give back the send of an email that bounced. */
  sendWindowSeconds: number;
  /** Told about every event and every suppression, for a log line and the metrics; addresses unmasked. */
  events?: (notice: DeliveryEventNotice) => void;
}

const dayMs = 86_400_000;

/** A message id is its code's id, a UUID; anything else (a provider's garbage, a NUL byte PostgreSQL refuses) names no message. */
const messageIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a report from a mail system means for the code and the address (the DeliveryEvents port): the
 * bounce receiver and the webhook have authenticated the report and found its message; this decides.
 *
 * @example
 * await runtime.deliveryEvents.recordDeliveryEvent({ kind: 'bounce', permanent: true, messageId, diagnostic: '5.1.1 unknown user' });
 */
export class DeliveryEventRecorder implements DeliveryEvents {
  constructor(private readonly deps: DeliveryEventRecorderDependencies) {}

  async recordDeliveryEvent(event: DeliveryEvent): Promise<DeliveryEventResult> {
    const { result, address } = await this.apply(event);
    // A malformed id is not echoed into the log: it is the sender's text, not ours.
    const messageId = messageIdPattern.test(event.messageId) ? event.messageId : 'malformed';
    this.deps.events?.({ type: 'delivery.event', kind: labelOf(event), result, messageId, address });
    return result;
  }

  private async apply(event: DeliveryEvent): Promise<{ result: DeliveryEventResult; address: string | null }> {
    const { store, clock } = this.deps;
    const nowMs = clock.nowMs();
    const { messageId } = event;
    if (!messageIdPattern.test(messageId)) return { result: 'unknown_message', address: null };
    switch (event.kind) {
      case 'bounce': {
        const diagnostic = cleanDiagnostic(event.diagnostic) ?? 'no diagnostic given';
        if (!event.permanent) return outcome(await store.recordTransientBounce({ messageId, diagnostic, nowMs }), 'recorded');
        const suppressUntilMs = nowMs + this.deps.suppressionDays * dayMs;
        const sendWindowMs = this.deps.sendWindowSeconds * 1000;
        const report = await store.applyPermanentBounce({ messageId, diagnostic, nowMs, sendWindowMs, suppressUntilMs });
        if (report?.suppressed) this.suppressed(report.recipient, 'bounce', suppressUntilMs);
        return outcome(report, report?.applied ? 'applied' : 'recorded');
      }
      case 'complaint': {
        const report = await store.applyComplaint({ messageId, diagnostic: cleanDiagnostic(event.diagnostic), nowMs });
        if (report?.suppressed) this.suppressed(report.recipient, 'complaint', null);
        return outcome(report, report?.suppressed ? 'applied' : 'recorded');
      }
      case 'delivered':
        return outcome(await store.recordDelivered({ messageId, nowMs }), 'recorded');
    }
  }

  private suppressed(address: string, cause: SuppressionCause, expiresAtMs: number | null): void {
    this.deps.events?.({ type: 'address.suppressed', address, cause, expiresAtMs });
  }
}

function outcome(
  report: { recipient: string } | null,
  ifFound: DeliveryEventResult,
): { result: DeliveryEventResult; address: string | null } {
  return report === null ? { result: 'unknown_message', address: null } : { result: ifFound, address: report.recipient };
}

function labelOf(event: DeliveryEvent): DeliveryEventLabel {
  if (event.kind === 'bounce') return event.permanent ? 'bounce_permanent' : 'bounce_transient';
  return event.kind;
}
