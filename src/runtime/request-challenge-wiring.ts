import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { maskEmailAddress } from '../core/email-address.js';
import { pressureSignals } from '../core/pressure-signals.js';
import { ProofOfWork, type SpentChallengeStore } from '../core/proof-of-work.js';
import { SecretKeyring } from '../core/secret-keyring.js';
import type { SoftCounters } from '../core/soft-counters.js';
import type { OtpMetrics } from '../ops/otp-metrics.js';
import { codeConversionSince } from '../store/code-conversion.repository.js';
import type { Database } from '../store/schema.js';
import { KyselySoftCounters } from '../store/soft-counters.repository.js';
import { KyselySpentChallengeStore } from '../store/spent-pow-challenges.repository.js';
import { type PressureEvent, PressureMonitor } from './pressure-monitor.js';
import { openRedisPressureStore } from './redis-pressure-store.js';
import { type ChallengeEvent, RequestChallenge } from './request-challenge.js';

export interface RequestChallengeRuntime {
  challenge: RequestChallenge;
  close(): Promise<void>;
}

/**
 * Builds the request form's challenge: the pressure monitor (started on its timer), the proof of work
 * with keys of its own derived from SECRET_KEY, and where soft counters are kept — Redis when REDIS_URL
 * is set, else the database — and spent solutions (the database). Either is shared by every process; the database
 * because it is the one thing every process already shares (an attacker spreading requests over
 * several processes must not get each one's threshold).
 */
export function openRequestChallenge(input: {
  config: Readonly<Config>;
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  metrics: OtpMetrics;
}): RequestChallengeRuntime {
  const { config, db, clock, logger, metrics } = input;
  const settings = config.challenge;
  const dbSpent = new KyselySpentChallengeStore(db);
  let counters: SoftCounters = new KyselySoftCounters(db);
  // Spent solutions live in the database only, even with Redis: a mark kept in one store and looked
  // for in the other (Redis away for one submission, back for the next) would let a solution count
  // twice. Solved challenges come only under pressure, so the insert is rare.
  const spent: SpentChallengeStore = dbSpent;
  let closeRedis = async () => {};
  if (config.redisUrl !== undefined) {
    let down = false;
    const redis = openRedisPressureStore(config.redisUrl, config.redisKeyPrefix, (error) => {
      if (down) return;
      down = true;
      logger.warn(
        { event: 'pressure.redis_down', err: error },
        'Redis unreachable: network and domain pressure is not counted until it is back',
      );
    });
    counters = redis.counters;
    closeRedis = () => redis.close();
  }

  const monitor: PressureMonitor = new PressureMonitor({
    settings,
    counters,
    conversionSince: (sinceMs) => codeConversionSince(db, sinceMs),
    clock,
    largeProviders: new Set(config.abuse.domainRequests.largeProviders),
    events: (event) => {
      logPressureEvent(logger, event);
      for (const signal of pressureSignals) metrics.recordPressure(signal, monitor.activeCount(signal));
    },
  });
  const pow = new ProofOfWork({
    signatureSecret: derivedSecret(config, 'pow challenge signature v1'),
    keySignatureSecret: derivedSecret(config, 'pow key signature v1'),
    pbkdf2Iterations: settings.pbkdf2Iterations,
    meanAttempts: settings.meanAttempts,
    expiryMs: settings.expirySeconds * 1000,
    clock,
    spent,
  });
  const challenge = new RequestChallenge({
    mode: settings.mode,
    monitor,
    pow,
    alwaysRetryAfterSeconds: settings.minOnSeconds,
    networkPrefixes: config.abuse.subnet.prefixes,
    events: (event) => {
      logChallengeEvent(logger, event);
      metrics.recordChallengeOutcome(event.type === 'challenge.failed' ? event.reason : event.type.slice('challenge.'.length));
    },
  });
  const timer = settings.mode === 'auto' ? monitor.start() : { stop() {} };
  return {
    challenge,
    async close() {
      timer.stop();
      await closeRedis();
    },
  };
}

function derivedSecret(config: Readonly<Config>, purpose: string): string {
  return new SecretKeyring(config.secretKey, [], purpose).current.key.toString('base64');
}

/** One line when a signal switches on (warn: someone is pushing) and when it switches off (how long it lasted). */
function logPressureEvent(logger: Logger, event: PressureEvent): void {
  if (event.type === 'pressure.check_failed') {
    logger.warn(
      { event: event.type, signal: event.signal, err: event.error },
      'a pressure reading failed; that signal counts nothing',
    );
    return;
  }
  const { type, reading, ...rest } = event;
  const figures = {
    volume: reading.volume,
    ...(reading.conversion === undefined ? {} : { conversion: Number(reading.conversion.toFixed(3)) }),
  };
  if (type === 'pressure.on')
    logger.warn({ event: type, ...rest, ...figures }, `pressure on (${event.signal}): the request form asks for a proof of work`);
  else logger.info({ event: type, ...rest, ...figures }, `pressure off (${event.signal})`);
}

function logChallengeEvent(logger: Logger, event: ChallengeEvent): void {
  const { type, address, ...rest } = event;
  const level = type === 'challenge.failed' ? 'warn' : 'info';
  logger[level]({ event: type, email: maskEmailAddress(address), ...rest });
}
