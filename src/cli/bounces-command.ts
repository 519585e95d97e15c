import type { Config } from '../config/config.js';
import { createLogger } from '../ops/logger.js';
import { startConfiguredBounceReceiver } from '../runtime/bounce-listener.js';
import { openOtpRuntime } from '../runtime/otp-runtime.js';

/**
 * `bounces`: the bounce receiver alone, for a process (or host) of its own — the bounce domain's MX,
 * say — beside servers that run with BOUNCE_ADDRESS but no BOUNCE_SMTP_PORT. It delivers no mail.
 */
export async function bouncesCommand(
  config: Readonly<Config>,
  onShutdownSignal: (shutdown: (signal: string) => Promise<void>) => void,
): Promise<number> {
  if (config.bounces.receiver === undefined) {
    console.error('otp-app bounces needs BOUNCE_SMTP_PORT (and BOUNCE_ADDRESS): where to listen, and which addresses to accept.');
    return 1;
  }
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  const runtime = await openOtpRuntime(config, logger, { runWorker: false });
  const receiver = await startConfiguredBounceReceiver(config, runtime, logger).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  onShutdownSignal(async (signal) => {
    logger.info({ signal }, 'bounce receiver shutting down');
    await receiver?.close();
    await runtime.close();
  });
  return -1;
}
