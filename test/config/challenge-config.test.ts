import { describe, expect, it } from 'vitest';
import { defaultChallengeConfig } from '../../src/config/challenge-config.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const base = { NODE_ENV: 'test', SECRET_KEY: 'x'.repeat(40), DATA_DIR: '/tmp/otp-app-config-test' };

describe('challenge and pressure settings', () => {
  it('defaults to a challenge only under pressure, with the tuned thresholds', () => {
    expect(loadConfig(base).challenge).toEqual(defaultChallengeConfig);
    expect(defaultChallengeConfig).toMatchObject({
      mode: 'auto',
      pressureWindowSeconds: 600,
      conversionMin: 0.2,
      conversionRecovered: 0.35,
      volumeFloor: 100,
      networkRequestThreshold: 10,
      domainRequestThreshold: 30,
      minOnSeconds: 300,
      pbkdf2Iterations: 250,
      meanAttempts: 4000,
      expirySeconds: 300,
    });
  });

  it('reads every setting', () => {
    const config = loadConfig({
      ...base,
      OTP_CHALLENGE: 'always',
      OTP_PRESSURE_CONVERSION_MIN: '0.1',
      OTP_PRESSURE_NETWORK_REQUESTS: '0',
    });
    expect(config.challenge).toMatchObject({ mode: 'always', conversionMin: 0.1, networkRequestThreshold: 0 });
  });

  it.each([
    [{ OTP_CHALLENGE: 'sometimes' }, 'OTP_CHALLENGE'],
    [{ OTP_PRESSURE_CONVERSION_MIN: '1.5' }, 'OTP_PRESSURE_CONVERSION_MIN'],
    [
      { OTP_PRESSURE_CONVERSION_MIN: '0.5', OTP_PRESSURE_CONVERSION_RECOVERED: '0.4' },
      'OTP_PRESSURE_CONVERSION_RECOVERED must be at least',
    ],
    [{ OTP_CHALLENGE_MEAN_ATTEMPTS: '1' }, 'OTP_CHALLENGE_MEAN_ATTEMPTS'],
  ])('refuses %o, naming the setting', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});
