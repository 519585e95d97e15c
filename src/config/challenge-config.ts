import { z } from 'zod';
import { integer } from './env-values.js';

/**
 * The adaptive proof-of-work challenge on the request form, and the pressure that switches it on
 * (docs/challenge.md). Part of Config; parsed with it.
 */
export interface ChallengeConfig {
  /** `auto`: only under pressure; `off`: never; `always`: on every form request. @default 'auto' */
  mode: 'auto' | 'off' | 'always';
  /** The window in which the share of codes verified is measured (the pumping signal). @default 600 */
  pressureWindowSeconds: number;
  /** Pumping: pressure on below this share of codes verified (0–1)… @default 0.2 */
  conversionMin: number;
  /** …and off again only at or above this share (hysteresis). @default 0.35 */
  conversionRecovered: number;
  /** Pumping is judged only with at least this many codes issued in the window. @default 100 */
  volumeFloor: number;
  /** Code requests from one client network (/24, /64) per short window before it is challenged. @default 10 */
  networkRequestThreshold: number;
  /** Code requests to one recipient domain per short window before requests to it are challenged. @default 30 */
  domainRequestThreshold: number;
  /** The short window of the network and domain counters. @default 60 */
  counterWindowSeconds: number;
  /** Once on, a signal stays on at least this long (no flapping). @default 300 */
  minOnSeconds: number;
  /** How often the pumping figures are read from the database. @default 5 */
  pumpingCheckIntervalSeconds: number;
  /** PBKDF2-SHA-256 iterations per attempt the browser makes. @default 250 */
  pbkdf2Iterations: number;
  /** Attempts a solver makes on average (the secret counter is drawn around it). @default 4000 */
  meanAttempts: number;
  /** A challenge must be solved and sent within this long. @default 300 */
  expirySeconds: number;
}

const share = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);

/** The challenge variables, spread into config's env schema. */
export const challengeEnvShape = {
  OTP_CHALLENGE: z.enum(['auto', 'off', 'always']).default('auto'),
  OTP_PRESSURE_WINDOW_SECONDS: integer(600, 60, 86_400),
  OTP_PRESSURE_CONVERSION_MIN: share(0.2),
  OTP_PRESSURE_CONVERSION_RECOVERED: share(0.35),
  OTP_PRESSURE_VOLUME_FLOOR: integer(100, 1, 10_000_000),
  OTP_PRESSURE_NETWORK_REQUESTS: integer(10, 0, 1_000_000),
  OTP_PRESSURE_DOMAIN_REQUESTS: integer(30, 0, 1_000_000),
  OTP_PRESSURE_COUNTER_WINDOW_SECONDS: integer(60, 1, 3600),
  OTP_PRESSURE_MIN_ON_SECONDS: integer(300, 0, 86_400),
  OTP_PRESSURE_CHECK_INTERVAL_SECONDS: integer(5, 1, 3600),
  OTP_CHALLENGE_PBKDF2_ITERATIONS: integer(250, 1, 1_000_000),
  OTP_CHALLENGE_MEAN_ATTEMPTS: integer(4000, 2, 10_000_000),
  OTP_CHALLENGE_EXPIRY_SECONDS: integer(300, 30, 3600),
};

type ChallengeEnv = { [K in keyof typeof challengeEnvShape]: z.infer<(typeof challengeEnvShape)[K]> };

/** Builds the ChallengeConfig; pushes each problem (with its fix) onto `problems`. */
export function challengeConfigFrom(e: ChallengeEnv, problems: string[]): Readonly<ChallengeConfig> {
  if (e.OTP_PRESSURE_CONVERSION_RECOVERED < e.OTP_PRESSURE_CONVERSION_MIN) {
    problems.push(
      'OTP_PRESSURE_CONVERSION_RECOVERED must be at least OTP_PRESSURE_CONVERSION_MIN (pressure switches off only above where it switched on)',
    );
  }
  return Object.freeze({
    mode: e.OTP_CHALLENGE,
    pressureWindowSeconds: e.OTP_PRESSURE_WINDOW_SECONDS,
    conversionMin: e.OTP_PRESSURE_CONVERSION_MIN,
    conversionRecovered: e.OTP_PRESSURE_CONVERSION_RECOVERED,
    volumeFloor: e.OTP_PRESSURE_VOLUME_FLOOR,
    networkRequestThreshold: e.OTP_PRESSURE_NETWORK_REQUESTS,
    domainRequestThreshold: e.OTP_PRESSURE_DOMAIN_REQUESTS,
    counterWindowSeconds: e.OTP_PRESSURE_COUNTER_WINDOW_SECONDS,
    minOnSeconds: e.OTP_PRESSURE_MIN_ON_SECONDS,
    pumpingCheckIntervalSeconds: e.OTP_PRESSURE_CHECK_INTERVAL_SECONDS,
    pbkdf2Iterations: e.OTP_CHALLENGE_PBKDF2_ITERATIONS,
    meanAttempts: e.OTP_CHALLENGE_MEAN_ATTEMPTS,
    expirySeconds: e.OTP_CHALLENGE_EXPIRY_SECONDS,
  });
}

/** The defaults, for tests and embedders that build a Config by hand. */
export const defaultChallengeConfig: Readonly<ChallengeConfig> = challengeConfigFrom(z.object(challengeEnvShape).parse({}), []);
