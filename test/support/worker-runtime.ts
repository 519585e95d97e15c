import { type Clock, systemClock } from '../../src/core/clock.js';
import { SealedBox } from '../../src/core/sealed-box.js';
import { SecretKeyring } from '../../src/core/secret-keyring.js';
import { CodeMailer } from '../../src/mail/code-mailer.js';
import type { OutboxStore } from '../../src/mail/outbox-store.js';
import { type OutboxEvent, OutboxWorker } from '../../src/mail/outbox-worker.js';
import { createSmtpTransport } from '../../src/mail/smtp-transport.js';
import { oneTimeLinkBuilder } from '../../src/runtime/one-time-link.js';
import { domainPacingFor, type OtpRuntime, outboxWorkerSettings } from '../../src/runtime/otp-runtime.js';

export interface HandDrivenWorkerOptions {
  /** Where the worker delivers: `smtp://127.0.0.1:PORT` (a port nobody listens on is an SMTP outage). */
  smtpUrl: string;
  /** The clock the app was started with, so "due" and "expired" mean the same to both. */
  clock?: Clock;
  /** The outbox the worker claims from. @default runtime.outbox */
  store?: OutboxStore;
}

export interface HandDrivenWorker {
  worker: OutboxWorker;
  /** Every event the worker reported, in order. */
  events: OutboxEvent[];
  /** Stops the worker (if started) and closes its SMTP transport. */
  close(): Promise<void>;
}

/**
 * An OutboxWorker built by hand around an app's real outbox and service (start the app with
 * OUTBOX_WORKER=off), with the app's outbox settings and its own SMTP transport. Not started: a test
 * drives it with `await worker.drainOnce()` and then looks at the rows, with no polling and no sleeping.
 */
export function handDrivenWorker(runtime: OtpRuntime, options: HandDrivenWorkerOptions): HandDrivenWorker {
  const { config } = runtime;
  const transport = createSmtpTransport({ smtpUrl: options.smtpUrl });
  const events: OutboxEvent[] = [];
  const worker = new OutboxWorker({
    store: options.store ?? runtime.outbox,
    undeliverable: runtime.service,
    suppressions: runtime.suppressions,
    deliveryEvents: runtime.deliveryEvents,
    delivery: new CodeMailer({
      transport,
      from: config.mail.from,
      appName: config.appName,
      linkUrl: oneTimeLinkBuilder(config.publicUrl),
    }),
    sealer: new SealedBox(new SecretKeyring(config.secretKey, config.oldSecretKeys, 'outbox seal v1')),
    clock: options.clock ?? systemClock,
    ...outboxWorkerSettings(config),
    // Paced as the app's own worker would be (OUTBOX_DOMAIN_RATE_PER_MINUTE), in the app's database.
    ...(config.mailLimits.domainRatePerMinute === 0
      ? {}
      : {
          pacing: domainPacingFor(config, runtime.db),
        }),
    events: (event) => events.push(event),
  });
  return {
    worker,
    events,
    async close() {
      await worker.stop(5000);
      await transport.close();
    },
  };
}
