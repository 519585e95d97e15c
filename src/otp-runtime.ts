import type { Logger } from 'pino';
import type { Config } from './config.js';
import { type Clock, systemClock } from './core/clock.js';
import { CodeHasher } from './core/code-hash.js';
import { maskEmailAddress } from './core/email-address.js';
import { type CodeGenerator, cryptoCodeGenerator } from './core/one-time-code.js';
import { type OtpEvent, OtpService } from './core/otp-service.js';
import { SecretKeyring } from './core/secret-keyring.js';
import { CodeMailer } from './mail/code-mailer.js';
import { DevMailbox } from './mail/dev-mailbox.js';
import type { MailTransport } from './mail/outgoing-message.js';
import { createSmtpTransport } from './mail/smtp-transport.js';
import { type OtpDatabase, openSqliteDatabase } from './store/database.js';
import { KyselyOtpStore } from './store/kysely-otp-store.js';
import { migrateToLatest } from './store/migrate.js';
import { startSweeper } from './store/sweeper.js';

/** Everything a running otp-app holds: database, mail transport, the service, and how to stop them. */
export interface OtpRuntime {
  config: Readonly<Config>;
  db: OtpDatabase;
  service: OtpService;
  store: KyselyOtpStore;
  /** Present only when mail stays local (development without a transport). */
  devMailbox?: DevMailbox;
  cookieKeys: SecretKeyring;
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  clock?: Clock;
  codeGenerator?: CodeGenerator;
  transport?: MailTransport;
}

/** Opens the database (migrating it), picks the mail transport and wires the service. */
export async function createOtpRuntime(config: Readonly<Config>, logger: Logger, overrides: RuntimeOverrides = {}): Promise<OtpRuntime> {
  const db = openSqliteDatabase(config.sqliteFile);
  await migrateToLatest(db);
  const clock = overrides.clock ?? systemClock;
  const store = new KyselyOtpStore(db);
  const { transport, devMailbox } = overrides.transport ? { transport: overrides.transport, devMailbox: undefined } : mailTransportFor(config);
  const service = new OtpService({
    policy: config.policy,
    store,
    delivery: new CodeMailer({ transport, from: config.mail.from, appName: config.appName }),
    hasher: new CodeHasher(new SecretKeyring(config.secretKey, config.oldSecretKeys, 'otp code hmac v1')),
    clock,
    codeGenerator: overrides.codeGenerator ?? cryptoCodeGenerator,
    events: (event) => logOtpEvent(logger, event),
  });
  const policy = config.policy;
  const sweeper = startSweeper({
    store,
    clock,
    intervalMs: config.sweepIntervalSeconds * 1000,
    retentionMs: 1000 * Math.max(3600, policy.sendWindowSeconds, policy.addressFailureWindowSeconds, policy.resendCooldownSeconds),
    onSwept: (deleted) => deleted > 0 && logger.debug({ event: 'otp.swept', deleted }),
    onError: (error) => logger.error({ event: 'otp.sweep_failed', err: error }),
  });
  return {
    config,
    db,
    service,
    store,
    devMailbox,
    cookieKeys: new SecretKeyring(config.secretKey, config.oldSecretKeys, 'cookie signing v1'),
    async close() {
      sweeper.stop();
      await transport.close();
      await db.destroy();
    },
  };
}

function mailTransportFor(config: Readonly<Config>): { transport: MailTransport; devMailbox?: DevMailbox } {
  const mail = config.mail;
  if (mail.kind === 'smtp') return { transport: createSmtpTransport({ smtpUrl: mail.smtpUrl }) };
  if (mail.kind === 'gmail') return { transport: createSmtpTransport({ gmail: { address: mail.address, appPassword: mail.appPassword } }) };
  const devMailbox = new DevMailbox();
  return { transport: devMailbox, devMailbox };
}

/** One line per OTP event; the address masked, the code never present (events do not carry it). */
function logOtpEvent(logger: Logger, event: OtpEvent): void {
  const { type, address, ...rest } = event;
  const level = type === 'otp.delivery_failed' ? 'warn' : 'info';
  logger[level]({ event: type, email: maskEmailAddress(address), ...rest });
}
