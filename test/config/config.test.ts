import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type Config, ConfigError, loadConfig } from '../../src/config/config.js';

const strongSecretKey = 'a-production-secret-key-of-more-than-32-bytes-0123456789';
const productionEnv = { NODE_ENV: 'production', SECRET_KEY: strongSecretKey, SMTP_URL: 'smtp://mail.example.com:587' };

const tempDirs: string[] = [];

/** A fresh, empty temp directory, removed after the test. */
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'otp-app-config-'));
  tempDirs.push(dir);
  return dir;
}

/** loadConfig on exactly `env` (never the real process.env) with a fresh DATA_DIR unless one is given. */
function load(env: Record<string, string | undefined> = {}): Readonly<Config> {
  return loadConfig({ DATA_DIR: freshDir(), ...env });
}

/** The ConfigError that loading `env` throws; fails the test if it loads, or throws something else. */
function configErrorFor(env: Record<string, string | undefined>): ConfigError {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}, but the config loaded`);
}

afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadConfig defaults', () => {
  it('listens where the original app did: port 8000 on 127.0.0.1', () => {
    const config = load();
    expect(config.port).toBe(8000);
    expect(config.host).toBe('127.0.0.1');
  });

  it('runs in development with the dev mailbox and no trusted proxy', () => {
    const config = load();
    expect(config.env).toBe('development');
    expect(config.isProduction).toBe(false);
    expect(config.mail.kind).toBe('dev-mailbox');
    expect(config.trustProxy).toBe(false);
    expect(config.logLevel).toBe('info');
    expect(config.bodyLimitBytes).toBe(16 * 1024);
  });

  it('bounds slow and surplus connections: 30 s per request, 10 s for headers, 5 s keep-alive, 1000 connections', () => {
    expect(load().http).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5000,
      idleTimeoutMs: 60_000,
      maxConnections: 1000,
      maxRequestsPerSocket: 0,
    });
  });

  it('follows the policy of DESIGN.md: 6 digits, 300 s, 5 attempts, 100 in a row per mailbox, 2 live, 60 s cooldown, 5 sends an hour, 10 a day', () => {
    expect(load().policy).toMatchObject({
      codeLength: 6,
      codeTtlSeconds: 300,
      maxAttemptsPerCode: 5,
      addressFailureLimit: 100,
      addressFailureWindowSeconds: 2_592_000,
      maxLiveCodes: 2,
      resendCooldownSeconds: 60,
      sendLimit: 5,
      sendWindowSeconds: 3600,
      dailySendLimit: 10,
      purposes: ['sign-in', 'verify-email', 'confirm-action'],
    });
  });

  it('limits each client IP to 30 code requests per 10 minutes and sweeps every minute', () => {
    const config = load();
    expect(config.ipRequestLimit).toBe(30);
    expect(config.clientLimitWindowSeconds).toBe(600);
    expect(config.sweepIntervalSeconds).toBe(60);
  });

  it('keeps the SQLite file under DATA_DIR', () => {
    const dataDir = freshDir();
    expect(load({ DATA_DIR: dataDir }).sqliteFile).toBe(join(dataDir, 'otp.sqlite'));
  });

  it('reads .env.example as the same configuration as an empty environment', () => {
    const dataDir = freshDir();
    const example = parseEnv(readFileSync(new URL('../../.env.example', import.meta.url), 'utf8'));
    expect(loadConfig({ ...example, DATA_DIR: dataDir })).toEqual(loadConfig({ DATA_DIR: dataDir }));
  });
});

describe('loadConfig reads each OTP_ variable into its setting', () => {
  const settings: { variable: string; value: string; read: (config: Readonly<Config>) => unknown; expected: unknown }[] = [
    { variable: 'OTP_LENGTH', value: '8', read: (c) => c.policy.codeLength, expected: 8 },
    { variable: 'OTP_TTL_SECONDS', value: '600', read: (c) => c.policy.codeTtlSeconds, expected: 600 },
    { variable: 'OTP_MAX_ATTEMPTS', value: '3', read: (c) => c.policy.maxAttemptsPerCode, expected: 3 },
    { variable: 'OTP_ADDRESS_FAILURE_LIMIT', value: '20', read: (c) => c.policy.addressFailureLimit, expected: 20 },
    {
      variable: 'OTP_ADDRESS_FAILURE_WINDOW_SECONDS',
      value: '7200',
      read: (c) => c.policy.addressFailureWindowSeconds,
      expected: 7200,
    },
    { variable: 'OTP_MAX_LIVE_CODES', value: '1', read: (c) => c.policy.maxLiveCodes, expected: 1 },
    { variable: 'OTP_RESEND_COOLDOWN_SECONDS', value: '30', read: (c) => c.policy.resendCooldownSeconds, expected: 30 },
    { variable: 'OTP_SEND_LIMIT', value: '7', read: (c) => c.policy.sendLimit, expected: 7 },
    { variable: 'OTP_SEND_WINDOW_SECONDS', value: '1800', read: (c) => c.policy.sendWindowSeconds, expected: 1800 },
    { variable: 'OTP_DAILY_SEND_LIMIT', value: '8', read: (c) => c.policy.dailySendLimit, expected: 8 },
    { variable: 'OTP_IP_REQUEST_LIMIT', value: '50', read: (c) => c.ipRequestLimit, expected: 50 },
    { variable: 'OTP_IP_REQUEST_WINDOW_SECONDS', value: '300', read: (c) => c.clientLimitWindowSeconds, expected: 300 },
    { variable: 'OTP_SWEEP_INTERVAL_SECONDS', value: '120', read: (c) => c.sweepIntervalSeconds, expected: 120 },
    { variable: 'OTP_PURPOSES', value: 'sign-in, step-up', read: (c) => c.policy.purposes, expected: ['sign-in', 'step-up'] },
  ];

  it.each(settings)('$variable=$value', ({ variable, value, read, expected }) => {
    expect(read(load())).not.toEqual(expected);
    expect(read(load({ [variable]: value }))).toEqual(expected);
  });

  it('changes nothing but the setting named', () => {
    const defaults = load().policy;
    expect(load({ OTP_TTL_SECONDS: '600' }).policy).toEqual({ ...defaults, codeTtlSeconds: 600 });
  });
});

describe('loadConfig refuses invalid values and names the variable', () => {
  const invalid: { variable: string; value: string }[] = [
    { variable: 'OTP_LENGTH', value: '5' },
    { variable: 'OTP_LENGTH', value: '11' },
    { variable: 'OTP_LENGTH', value: '6.5' },
    { variable: 'PORT', value: 'abc' },
    { variable: 'PORT', value: '70000' },
    { variable: 'OTP_TTL_SECONDS', value: 'five minutes' },
    { variable: 'OTP_MAX_LIVE_CODES', value: '0' },
    { variable: 'NODE_ENV', value: 'staging' },
    { variable: 'LOG_LEVEL', value: 'verbose' },
    { variable: 'OTP_PURPOSES', value: 'Sign In' },
    { variable: 'HTTP_REQUEST_TIMEOUT_MS', value: '0' },
    { variable: 'HTTP_HEADERS_TIMEOUT_MS', value: 'ten seconds' },
    { variable: 'HTTP_KEEP_ALIVE_TIMEOUT_MS', value: '-1' },
    { variable: 'HTTP_IDLE_TIMEOUT_MS', value: '0' },
    { variable: 'HTTP_MAX_CONNECTIONS', value: '0' },
    { variable: 'HTTP_MAX_REQUESTS_PER_SOCKET', value: '1.5' },
  ];

  it.each(invalid)('$variable=$value', ({ variable, value }) => {
    expect(configErrorFor({ [variable]: value }).message).toContain(variable);
  });

  it('refuses a header deadline longer than the request deadline it is part of', () => {
    expect(configErrorFor({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' }).message).toContain(
      'HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS',
    );
  });

  it('treats an empty number variable as unset, as it does an empty text variable', () => {
    // `PORT=` in a .env must not mean "port 0", i.e. a random port nobody knows.
    expect(load({ PORT: '' }).port).toBe(8000);
    expect(load({ OTP_LENGTH: '' }).policy.codeLength).toBe(6);
  });
});

describe('loadConfig in production', () => {
  it('loads with a strong SECRET_KEY and a mail transport', () => {
    const dataDir = freshDir();
    const config = load({ ...productionEnv, DATA_DIR: dataDir });
    expect(config.isProduction).toBe(true);
    expect(config.secretKey).toBe(strongSecretKey);
    expect(config.mail).toMatchObject({ kind: 'smtp', smtpUrl: productionEnv.SMTP_URL });
    expect(existsSync(join(dataDir, 'secret-key'))).toBe(false);
  });

  it('refuses to start without SECRET_KEY, and says how to make one', () => {
    const message = configErrorFor({ ...productionEnv, SECRET_KEY: undefined }).message;
    expect(message).toContain('SECRET_KEY');
    expect(message).toContain('openssl rand');
  });

  it('refuses an empty SECRET_KEY like a missing one', () => {
    expect(configErrorFor({ ...productionEnv, SECRET_KEY: '   ' }).message).toContain('SECRET_KEY');
  });

  it('refuses a SECRET_KEY shorter than 32 bytes and accepts one of exactly 32', () => {
    expect(configErrorFor({ ...productionEnv, SECRET_KEY: 'x'.repeat(31) }).message).toMatch(
      /SECRET_KEY must be at least 32 bytes/,
    );
    expect(load({ ...productionEnv, SECRET_KEY: 'x'.repeat(32) }).secretKey).toBe('x'.repeat(32));
  });

  it('counts SECRET_KEY in bytes, not characters', () => {
    // 16 characters, 32 bytes in UTF-8
    expect(load({ ...productionEnv, SECRET_KEY: 'é'.repeat(16) }).secretKey).toBe('é'.repeat(16));
  });

  it('refuses to start without a real mail transport, naming SMTP_URL', () => {
    const message = configErrorFor({ ...productionEnv, SMTP_URL: undefined }).message;
    expect(message).toContain('SMTP_URL');
    expect(message).toContain('GMAIL_ADDRESS');
  });

  it('refuses a PUBLIC_URL over plain http (the emailed link is a bearer credential), and takes https', () => {
    expect(configErrorFor({ ...productionEnv, PUBLIC_URL: 'http://otp.example.com' }).message).toMatch(
      /PUBLIC_URL must use https in production/,
    );
    expect(load({ ...productionEnv, PUBLIC_URL: 'https://otp.example.com/' }).publicUrl).toBe('https://otp.example.com');
    // Outside production a local http address stays fine.
    expect(load({ PUBLIC_URL: 'http://localhost:8000' }).publicUrl).toBe('http://localhost:8000');
  });

  it('names every problem at once', () => {
    const message = configErrorFor({ NODE_ENV: 'production' }).message;
    expect(message).toContain('SECRET_KEY');
    expect(message).toContain('SMTP_URL');
  });
});

describe('loadConfig mail settings', () => {
  it('refuses GMAIL_ADDRESS without GMAIL_APP_PASSWORD', () => {
    expect(configErrorFor({ GMAIL_ADDRESS: 'me@gmail.com' }).message).toContain('GMAIL_APP_PASSWORD');
  });

  it('refuses GMAIL_APP_PASSWORD without GMAIL_ADDRESS', () => {
    expect(configErrorFor({ GMAIL_APP_PASSWORD: 'abcd efgh ijkl mnop' }).message).toContain('GMAIL_ADDRESS');
  });

  it('uses Gmail when both are set, sending from that address', () => {
    const config = load({ GMAIL_ADDRESS: 'me@gmail.com', GMAIL_APP_PASSWORD: 'abcd efgh ijkl mnop' });
    expect(config.mail).toEqual({
      kind: 'gmail',
      address: 'me@gmail.com',
      appPassword: 'abcd efgh ijkl mnop',
      from: 'me@gmail.com',
    });
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://', () => {
    expect(configErrorFor({ SMTP_URL: 'http://mail.example.com' }).message).toContain('SMTP_URL');
  });
});

describe('the development secret', () => {
  it('is generated once into DATA_DIR/secret-key, readable by the owner only', () => {
    const dataDir = join(freshDir(), 'not', 'yet', 'there');
    const config = load({ DATA_DIR: dataDir });
    const file = join(dataDir, 'secret-key');

    expect(readFileSync(file, 'utf8').trim()).toBe(config.secretKey);
    expect(Buffer.byteLength(config.secretKey)).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('is reused on the next start, so codes and cookies survive a restart', () => {
    const dataDir = freshDir();
    const first = load({ DATA_DIR: dataDir }).secretKey;
    const second = load({ DATA_DIR: dataDir }).secretKey;
    expect(second).toBe(first);
  });

  it('differs between two data directories', () => {
    expect(load().secretKey).not.toBe(load().secretKey);
  });

  it('is not generated when SECRET_KEY is set', () => {
    const dataDir = freshDir();
    expect(load({ DATA_DIR: dataDir, SECRET_KEY: strongSecretKey }).secretKey).toBe(strongSecretKey);
    expect(existsSync(join(dataDir, 'secret-key'))).toBe(false);
  });

  it('does not excuse a short SECRET_KEY in development', () => {
    expect(configErrorFor({ SECRET_KEY: 'short' }).message).toContain('SECRET_KEY');
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    { value: undefined, expected: false },
    { value: 'false', expected: false },
    { value: 'true', expected: true },
    { value: '2', expected: 2 },
    { value: '10.0.0.0/8,127.0.0.1', expected: ['10.0.0.0/8', '127.0.0.1'] },
    { value: ' 10.0.0.0/8 , 127.0.0.1 ', expected: ['10.0.0.0/8', '127.0.0.1'] },
  ])('$value → $expected', ({ value, expected }) => {
    expect(load({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });
});

describe('DATABASE_URL', () => {
  it('selects PostgreSQL for a postgres:// URL', () => {
    const url = 'postgres://otp:secret@localhost:5432/otp';
    expect(load({ DATABASE_URL: url }).database).toMatchObject({ kind: 'postgres', url });
  });

  it('refuses any other scheme, naming the forms it accepts', () => {
    const message = configErrorFor({ DATABASE_URL: 'mysql://otp@localhost/otp' }).message;
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('postgres://');
  });

  it('accepts sqlite:PATH', () => {
    const file = join(freshDir(), 'elsewhere.sqlite');
    expect(load({ DATABASE_URL: `sqlite:${file}` }).sqliteFile).toBe(file);
  });
});

describe('the returned config', () => {
  it('is frozen, down to the policy and its purposes', () => {
    const config = load();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.policy)).toBe(true);
    expect(Object.isFrozen(config.policy.purposes)).toBe(true);
    expect(() => {
      (config as Config).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.policy as { codeLength: number }).codeLength = 4;
    }).toThrow(TypeError);
    expect(config.port).toBe(8000);
    expect(config.policy.codeLength).toBe(6);
  });

  it('is frozen all the way down, mail settings and lists included', () => {
    const config = load({ SMTP_URL: 'smtp://mail.example.com:587', OLD_SECRET_KEYS: 'old-key-one', TRUST_PROXY: '10.0.0.0/8' });
    expect(unfrozenPaths(config)).toEqual([]);
  });
});

/** Paths of every object or array inside `value` (itself included) that can still be changed. */
function unfrozenPaths(value: unknown, path = 'config'): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const own = Object.isFrozen(value) ? [] : [path];
  return [...own, ...Object.entries(value).flatMap(([key, child]) => unfrozenPaths(child, `${path}.${key}`))];
}
