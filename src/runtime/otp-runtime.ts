import type { Logger } from 'pino';
import type { DefenceEvent } from '../abuse/defence-events.js';
import { logDefenceEvent } from '../abuse/defence-log.js';
import type { MailDomainResolver } from '../abuse/mail-domain-resolver.js';
import type { Config } from '../config/config.js';
import { type Clock, systemClock } from '../core/clock.js';
import { CodeHasher } from '../core/code-hash.js';
import { type DeliveryEventNotice, DeliveryEventRecorder } from '../core/delivery-event-recorder.js';
import type { DeliveryEvents } from '../core/delivery-events.js';
import { maskEmailAddress } from '../core/email-address.js';
import { type CodeGenerator, cryptoCodeGenerator } from '../core/one-time-code.js';
import { type OtpEvent, OtpService } from '../core/otp-service.js';
import { SealedBox } from '../core/sealed-box.js';
import { SecretKeyring } from '../core/secret-keyring.js';
import type { StoredSigningKeyring } from '../core/signing-keyring.js';
import type { SuccessVisitStore } from '../core/success-visit-store.js';
import type { VerificationTokens } from '../core/verification-token.js';
import { VerpTokens } from '../core/verp-token.js';
import { CodeMailer } from '../mail/code-mailer.js';
import { DevMailbox } from '../mail/dev-mailbox.js';
import { DomainPacing } from '../mail/domain-pacing.js';
import { createFailoverTransport, type FailoverEvent } from '../mail/failover-transport.js';
import { type OutboxEvent, OutboxWorker, type OutboxWorkerOptions } from '../mail/outbox-worker.js';
import type { MailTransport } from '../mail/outgoing-message.js';
import { senderSetupNotices } from '../mail/sender-setup-notices.js';
import { createSmtpThreadTransport } from '../mail/smtp-thread-transport.js';
import { smtpTransportName, smtpUrlList } from '../mail/smtp-url-list.js';
import type { TransportState } from '../mail/transport-circuit.js';
import { MailTransportCheck } from '../ops/mail-transport-check.js';
import { createOtpMetrics, type OtpMetrics } from '../ops/otp-metrics.js';
import { dailyCappedOtpStore } from '../store/daily-capped-otp-store.js';
import { DailyMailCap } from '../store/daily-mail-cap.js';
import { type OtpDatabase, openDatabase } from '../store/database.js';
import { KyselyDeliveryEventStore } from '../store/kysely-delivery-event-store.js';
import { KyselyDomainPacingStore } from '../store/kysely-domain-pacing-store.js';
import { KyselyOtpStore } from '../store/kysely-otp-store.js';
import { KyselyOutboxStore } from '../store/kysely-outbox-store.js';
import { migrateToLatest } from '../store/migrate.js';
import { KyselySuccessVisitStore } from '../store/success-visits.repository.js';
import { KyselySuppressionList } from '../store/suppressions.repository.js';
import { counterRetentionOf, startSweeper, sweepRetentionMs } from '../store/sweeper.js';
import { oneTimeLinkBuilder } from './one-time-link.js';
import type { RequestChallenge } from './request-challenge.js';
import { openRequestChallenge } from './request-challenge-wiring.js';
import { requestScreenFor } from './request-screen-for.js';
import { createVerificationTokens } from './verification-tokens.js';
import { verpEnvelopeFrom } from './verp-envelope.js';

/** Everything a running otp-app holds: database, mail, the service, the worker, and how to stop them. */
export interface OtpRuntime {
  config: Readonly<Config>;
  db: OtpDatabase;
  service: OtpService;
  store: KyselyOtpStore;
  outbox: KyselyOutboxStore;
  /** Present when this process delivers mail (`serve` with OUTBOX_WORKER=in-process, or `worker`). */
  worker?: OutboxWorker;
  /** Present only when mail stays local (development without a transport). */
  devMailbox?: DevMailbox;
  cookieKeys: SecretKeyring;
  /** Success pages already shown: each "verified" flash is honoured once, across every process. */
  successVisits: SuccessVisitStore;
  /** Signs verification results (API verify, success page) and serves the JWKS. */
  tokens: VerificationTokens;
  /** Present when signing keys are generated and stored (no TOKEN_SIGNING_KEYS): rotate() lives here. */
  storedSigningKeys?: StoredSigningKeyring;
  /** Prometheus metrics of this runtime, on a registry of its own. */
  metrics: OtpMetrics;
  /** The start-up check of the mail transport, for /readyz. */
  mailCheck: MailTransportCheck;
  /** Where the bounce receiver and the delivery-events webhook hand what they read (docs/suppression.md). */
  deliveryEvents: DeliveryEvents;
  /** The deployment-wide suppression list, as requests and the worker read it. */
  suppressions: KyselySuppressionList;
  /** Issues and opens the tokens of VERP envelope senders (BOUNCE_ADDRESS); the bounce receiver and the webhook open them. */
  verpTokens: VerpTokens;
  /** The request form's proof-of-work challenge and the pressure that switches it on (docs/challenge.md). */
  challenge: RequestChallenge;
  /** Logs and counts what an abuse defence did; the pages' per-network limit reports here too. */
  defenceEvents(event: DefenceEvent): void;
  /** Each configured SMTP transport's circuit, failures in a row and last success (empty for the dev mailbox). */
  transportStates: () => TransportState[];
  /** Stops the sweeper, lets in-flight sends finish (bounded), closes the transport and the database. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Deliver the outbox from this process. @default config.outbox.worker === 'in-process' */
  runWorker?: boolean;
  clock?: Clock;
  codeGenerator?: CodeGenerator;
  transport?: MailTransport;
  /** DNS for the MX check (OTP_CHECK_MX). @default node:dns with the system's servers */
  mailDomainResolver?: MailDomainResolver;
}

/** Opens the database (migrating it unless AUTO_MIGRATE=false), picks the mail transport and wires the service and the worker. */
export async function openOtpRuntime(
  config: Readonly<Config>,
  logger: Logger,
  options: RuntimeOptions = {},
): Promise<OtpRuntime> {
  const db = openDatabase(config.database, {
    onIdleConnectionError: (error) =>
      logger.warn({ event: 'db.connection_lost', err: error }, 'an idle database connection broke; the pool replaces it'),
  });
  const clock = options.clock ?? systemClock;
  const store = new KyselyOtpStore(db);
  const outbox = new KyselyOutboxStore(db);
  const sealer = new SealedBox(new SecretKeyring(config.secretKey, config.oldSecretKeys, 'outbox seal v1'));
  const verpTokens = new VerpTokens(new SecretKeyring(config.secretKey, config.oldSecretKeys, 'verp token v1'));
  // Start-up can fail here (database unreachable, a bad signing key): close the pool rather than leak it
  // into a library user's process.
  const { tokens, storedKeys: storedSigningKeys } = await (async () => {
    try {
      if (config.autoMigrate) await migrateToLatest(db);
      return await createVerificationTokens(config, db, clock);
    } catch (error) {
      await db.destroy().catch(() => {});
      throw error;
    }
  })();
  const { transport, devMailbox, transportStates } = options.transport
    ? { transport: options.transport, devMailbox: undefined, transportStates: undefined }
    : mailTransportFor(config, { clock, events: (event) => logFailoverEvent(logger, event) });

  for (const notice of senderSetupNotices({
    from: config.mail.from,
    dkimDomain: config.dkim?.domain,
    transport: config.mail.kind,
    isProduction: config.isProduction,
  })) {
    logger[notice.level]({ event: notice.event }, notice.message);
  }

  const metrics = createOtpMetrics({
    outboxCounts: () => outbox.counts(clock.nowMs()),
    transportStates: transportStates ?? (() => []),
  });
  const mailCheck = new MailTransportCheck();
  const requestChallenge = openRequestChallenge({ config, db, clock, logger, metrics });
  void mailCheck.start(transport).then((state) => {
    if (state.status === 'failed')
      logger.warn(
        { event: 'mail.verify_failed', error: state.error },
        'mail transport check failed; mail stays queued until it works',
      );
  });

  const defenceEvents = (event: DefenceEvent) => {
    logDefenceEvent(logger, event);
    metrics.recordDefenceEvent(event);
  };
  // Declared first: the service wakes the worker when it queues mail; the worker tells the service of
  // an email that can never be delivered.
  let worker: OutboxWorker | undefined;
  const suppressions = new KyselySuppressionList(db);
  const service = new OtpService({
    suppressions,
    policy: config.policy,
    // MAIL_DAILY_LIMIT: each request takes a send from the deployment's day before its code is issued.
    store:
      config.mailLimits.dailyLimit === undefined
        ? store
        : dailyCappedOtpStore(store, new DailyMailCap(db, config.mailLimits.dailyLimit)),
    sealer,
    hasher: new CodeHasher(new SecretKeyring(config.secretKey, config.oldSecretKeys, 'otp code hmac v1')),
    clock,
    codeGenerator: options.codeGenerator ?? cryptoCodeGenerator,
    requestScreen: requestScreenFor(config.abuse, { db, clock, resolver: options.mailDomainResolver, events: defenceEvents }),
    events: (event) => {
      logOtpEvent(logger, event);
      metrics.recordOtpEvent(event);
      if (event.type === 'otp.requested') worker?.wake();
    },
  });
  const deliveryEvents = new DeliveryEventRecorder({
    store: new KyselyDeliveryEventStore(db),
    clock,
    suppressionDays: config.suppression.bounceDays,
    sendWindowSeconds: config.policy.sendWindowSeconds,
    events: (notice) => {
      logDeliveryEvent(logger, notice);
      metrics.recordDeliveryEvent(notice);
    },
  });
  const runWorker = options.runWorker ?? config.outbox.worker === 'in-process';
  worker = runWorker
    ? new OutboxWorker({
        store: outbox,
        undeliverable: service,
        suppressions,
        deliveryEvents,
        delivery: new CodeMailer({
          transport,
          from: config.mail.from,
          appName: config.appName,
          linkUrl: oneTimeLinkBuilder(config.publicUrl),
          envelopeFrom: verpEnvelopeFrom(config.bounces.address, verpTokens),
        }),
        sealer,
        clock,
        ...outboxWorkerSettings(config),
        ...(config.mailLimits.domainRatePerMinute === 0
          ? {}
          : {
              pacing: domainPacingFor(config, db),
            }),
        events: (event) => {
          logOutboxEvent(logger, event);
          metrics.recordOutboxEvent(event);
          if (event.type === 'otp.sent') mailCheck.markDelivered();
        },
      })
    : undefined;

  const policy = config.policy;
  const sweeper = startSweeper({
    db,
    clock,
    intervalMs: config.sweepIntervalSeconds * 1000,
    retentionMs: sweepRetentionMs(policy),
    // Finished codes stay for the pressure window: the pumping signal counts them.
    counterRetention: { ...counterRetentionOf(policy), finishedCodesMs: config.challenge.pressureWindowSeconds * 1000 },
    onSwept: (deleted) => deleted > 0 && logger.debug({ event: 'otp.swept', deleted }),
    onError: (error) => logger.error({ event: 'otp.sweep_failed', err: error }),
  });
  worker?.start();
  return {
    config,
    db,
    service,
    store,
    outbox,
    worker,
    devMailbox,
    cookieKeys: new SecretKeyring(config.secretKey, config.oldSecretKeys, 'cookie signing v1'),
    successVisits: new KyselySuccessVisitStore(db),
    tokens,
    storedSigningKeys,
    metrics,
    mailCheck,
    deliveryEvents,
    suppressions,
    verpTokens,
    challenge: requestChallenge.challenge,
    defenceEvents,
    transportStates: transportStates ?? (() => []),
    async close() {
      sweeper.stop();
      await requestChallenge.close();
      await worker?.stop(config.outbox.shutdownGraceMs);
      await transport.close();
      await db.destroy();
    },
  };
}

/** The outbox's per-domain pacing as the configuration sets it (OUTBOX_DOMAIN_RATE_PER_MINUTE > 0). */
export function domainPacingFor(config: Readonly<Config>, db: OtpDatabase): DomainPacing {
  const { mailLimits } = config;
  return new DomainPacing(new KyselyDomainPacingStore(db), {
    ratePerMinute: mailLimits.domainRatePerMinute,
    largeProviders: {
      domains: config.abuse.domainRequests.largeProviders,
      // Never slower than an ordinary domain.
      ratePerMinute: Math.max(mailLimits.largeProviderRatePerMinute, mailLimits.domainRatePerMinute),
    },
  });
}

/** The worker's timing and limits as the configuration sets them. */
export function outboxWorkerSettings(
  config: Readonly<Config>,
): Pick<OutboxWorkerOptions, 'retry' | 'concurrency' | 'pollIntervalMs' | 'leaseMs' | 'sendWindowMs'> {
  const { outbox } = config;
  return {
    retry: { baseDelayMs: outbox.retryBaseDelayMs, maxDelayMs: outbox.retryMaxDelayMs, giveUpAfterMs: outbox.giveUpAfterMs },
    concurrency: outbox.concurrency,
    pollIntervalMs: outbox.pollIntervalMs,
    leaseMs: outbox.leaseMs,
    sendWindowMs: config.policy.sendWindowSeconds * 1000,
  };
}

/**
 * The transport the configuration names; the dev mailbox when none is configured (never in production).
 * Every SMTP transport is named (host:port) and watched: an SMTP_URL listing several URLs gives one
 * transport each, behind failover with a circuit breaker; a lone one (or Gmail) the same wrapper with no
 * breaker, so each send records which transport took it and /readyz shows its state either way.
 * `only` (1-based) picks one transport of the list, as `send-test-email --transport N` does.
 */
export function mailTransportFor(
  config: Readonly<Config>,
  failover: { clock?: Clock; events?: (event: FailoverEvent) => void; only?: number } = {},
): { transport: MailTransport; devMailbox?: DevMailbox; transportStates?: () => TransportState[] } {
  const mail = config.mail;
  // Both SMTP kinds sign with the configured DKIM key (Gmail adds its own signature as well).
  const pool = { maxConnections: config.outbox.concurrency, ...(config.dkim === undefined ? {} : { dkim: config.dkim }) };
  if (mail.kind === 'smtp' || mail.kind === 'gmail') {
    const all = smtpTransportSettings(config);
    const chosen = failover.only === undefined ? all : all.slice(failover.only - 1, failover.only);
    const transports = chosen.map(({ name, settings }) => ({
      name,
      transport: createSmtpThreadTransport({ ...settings, ...pool }),
    }));
    const lone = transports.length === 1;
    const transport = createFailoverTransport(transports, {
      clock: failover.clock ?? systemClock,
      // A lone transport has nothing to fail over to: no breaker, and no "sent via" line per email (the
      // otp.sent line names the transport; failures show as otp.delivery_retry, as they always did).
      ...(lone ? { failureThreshold: Number.POSITIVE_INFINITY } : { events: failover.events }),
    });
    return { transport, transportStates: () => transport.states() };
  }
  const devMailbox = new DevMailbox();
  return { transport: devMailbox, devMailbox };
}

/** The SMTP transports the configuration lists, primary first, each with a unique name (host:port). */
export function smtpTransportSettings(
  config: Readonly<Config>,
): { name: string; settings: { smtpUrl: string } | { gmail: { address: string; appPassword: string } } }[] {
  const mail = config.mail;
  if (mail.kind === 'gmail') {
    return [{ name: 'smtp.gmail.com:587', settings: { gmail: { address: mail.address, appPassword: mail.appPassword } } }];
  }
  if (mail.kind !== 'smtp') return [];
  const seen = new Set<string>();
  return smtpUrlList(mail.smtpUrl).map((smtpUrl, index) => {
    const host = smtpTransportName(smtpUrl, index);
    // Two URLs on one host (different accounts) still need two names: metrics label by it.
    const name = seen.has(host) ? `${host}#${index + 1}` : host;
    seen.add(name);
    return { name, settings: { smtpUrl } };
  });
}

/** One line per OTP event; the address masked, the code never present (events do not carry it). */
function logOtpEvent(logger: Logger, event: OtpEvent): void {
  const { type, address, ...rest } = event;
  logger.info({ event: type, email: maskEmailAddress(address), ...rest });
  // Its own line, so an alert can match the event name alone.
  if (event.type === 'otp.failed' && event.reason === 'locked')
    logger.warn({ event: 'otp.locked', email: maskEmailAddress(address), purpose: event.purpose });
}

/** Which transport took each email when there are several, and every failure that moved one on. */
function logFailoverEvent(logger: Logger, event: FailoverEvent): void {
  const { type, ...rest } = event;
  if (type === 'mail.sent_via') logger.info({ event: type, ...rest });
  else logger.warn({ event: type, ...rest });
}

/** One line per delivery event and per suppression, the address masked. */
function logDeliveryEvent(logger: Logger, notice: DeliveryEventNotice): void {
  const { type, address, ...rest } = notice;
  const email = address === null ? undefined : maskEmailAddress(address);
  const level = type === 'address.suppressed' || notice.result === 'unknown_message' ? 'warn' : 'info';
  logger[level]({ event: type, ...(email === undefined ? {} : { email }), ...rest });
}

function logOutboxEvent(logger: Logger, event: OutboxEvent): void {
  if (event.type === 'outbox.error') {
    logger.error({ event: event.type, err: event.error });
    return;
  }
  const { type, recipient, ...rest } = event;
  const level = type === 'otp.sent' || type === 'otp.delivery_paced' ? 'info' : 'warn';
  logger[level]({ event: type, email: maskEmailAddress(recipient), ...rest });
}
