import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { DeliveryEvents } from '../core/delivery-events.js';
import type { VerpTokens } from '../core/verp-token.js';
import { type BounceReceiver, startBounceReceiver } from '../mail/bounce-receiver.js';

/**
 * Starts the bounce receiver when the configuration asks for one (BOUNCE_SMTP_PORT, with BOUNCE_ADDRESS);
 * undefined otherwise. Used by `serve` and by `otp-app bounces`.
 */
export async function startConfiguredBounceReceiver(
  config: Readonly<Config>,
  parts: { verpTokens: VerpTokens; deliveryEvents: DeliveryEvents },
  logger: Logger,
): Promise<BounceReceiver | undefined> {
  const { receiver, address } = config.bounces;
  if (receiver === undefined || address === undefined) return undefined;
  const started = await startBounceReceiver({
    host: receiver.host,
    port: receiver.port,
    maxMessageBytes: receiver.maxMessageBytes,
    bounceAddress: address,
    verpTokens: parts.verpTokens,
    deliveryEvents: parts.deliveryEvents,
    logger: logger.child({ component: 'bounce-receiver' }),
  });
  logger.info(
    { event: 'bounce.receiver_started', host: started.host, port: started.port, bounceDomain: address.domain },
    `bounce receiver listening on ${started.host}:${started.port} for ${address.localPart}+…@${address.domain}`,
  );
  return started;
}
