import { loadConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/core/clock.js';
import { createLogger } from '../../src/ops/logger.js';
import { type OtpRuntime, openOtpRuntime } from '../../src/runtime/otp-runtime.js';
import { testSecretKey } from './test-app.js';

export interface WorkerRuntimeOptions {
  /** The DATA_DIR of the app whose outbox this worker delivers (same SQLite file). */
  dataDir: string;
  env?: Record<string, string>;
  clock?: Clock;
}

/**
 * A second runtime on an existing database that only delivers mail, as `otp-app worker` does: for
 * tests where the app queued with OUTBOX_WORKER=off and delivery starts later. Close it when done.
 */
export async function startWorkerRuntime(options: WorkerRuntimeOptions): Promise<OtpRuntime> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: options.dataDir,
    SECRET_KEY: testSecretKey,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  return openOtpRuntime(config, createLogger(config.logLevel), {
    runWorker: true,
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
