import { readFileSync } from 'node:fs';
import type { DeliveryEvent, DeliveryEventResult, DeliveryEvents } from '../../src/core/delivery-events.js';
import { StoreUnavailableError } from '../../src/core/store-unavailable-error.js';

export const dsnFixtureNames = [
  'postfix-failed',
  'postfix-delayed',
  'exim-failed',
  'gmail-failed',
  'exchange-failed',
  'exchange-expired',
  'out-of-office',
] as const;
export type DsnFixtureName = (typeof dsnFixtureNames)[number];

/** A sample from test/fixtures/dsn/ with its placeholders filled in, CRLF line ends as on the wire. */
export function dsnFixture(name: DsnFixtureName, values: { verp: string; recipient: string }): string {
  const template = readFileSync(new URL(`../fixtures/dsn/${name}.eml`, import.meta.url), 'utf8');
  return template.replaceAll('{{VERP}}', values.verp).replaceAll('{{RECIPIENT}}', values.recipient).replace(/\r?\n/g, '\r\n');
}

/**
 * An in-memory DeliveryEvents that keeps what it was told and answers as the real one would for a
 * message it holds: `applied` for a permanent bounce or a complaint, `recorded` otherwise; messages in
 * `unknown` are `unknown_message`. `failNext` makes the next call throw as a database outage does.
 */
export class RecordingDeliveryEvents implements DeliveryEvents {
  readonly events: DeliveryEvent[] = [];
  readonly unknown = new Set<string>();
  failNext = false;

  async recordDeliveryEvent(event: DeliveryEvent): Promise<DeliveryEventResult> {
    if (this.failNext) {
      this.failNext = false;
      throw new StoreUnavailableError(new Error('connection refused'));
    }
    this.events.push(event);
    if (this.unknown.has(event.messageId)) return 'unknown_message';
    return (event.kind === 'bounce' && event.permanent) || event.kind === 'complaint' ? 'applied' : 'recorded';
  }
}
