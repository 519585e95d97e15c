import type { Logger } from 'pino';
import { maskEmailAddress } from '../core/email-address.js';
import type { DefenceEvent } from './defence-events.js';

/**
 * One line per defence that fires, named by its event so an alert can match it. A refusal is `warn`
 * (someone is being slowed or turned away), a fail-open too (a defence is not doing its work right now).
 * The address is masked; the domain and network are what an operator acts on, and are shown whole.
 */
export function logDefenceEvent(logger: Logger, event: DefenceEvent): void {
  if ('address' in event) {
    const { type, address, ...rest } = event;
    logger.warn({ event: type, email: maskEmailAddress(address), ...rest });
    return;
  }
  const { type, ...rest } = event;
  logger.warn({ event: type, ...rest });
}
