import { describe, expect, it } from 'vitest';
import { defaultLargeMailProviders } from '../../src/abuse/large-mail-providers.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const load = (env: Record<string, string>) =>
  loadConfig({ NODE_ENV: 'test', SECRET_KEY: 'x'.repeat(48), DATA_DIR: '/nonexistent', ...env });

describe('the abuse settings', () => {
  it('defaults: /24 and /64, 200 requests and 2,000 verifies per network, 100 (2,000 at large providers) per domain an hour, both checks off', () => {
    expect(load({}).abuse).toEqual({
      subnet: { prefixes: { v4: 24, v6: 64 }, requestLimit: 200, verifyLimit: 2000 },
      domainRequests: { limit: 100, largeProviderLimit: 2000, largeProviders: defaultLargeMailProviders, windowSeconds: 3600 },
      blockDisposable: false,
    });
    expect(defaultLargeMailProviders).toEqual(expect.arrayContaining(['gmail.com', 'outlook.com', 'icloud.com', 'web.de']));
  });

  it('reads every variable', () => {
    const abuse = load({
      OTP_SUBNET_V4_PREFIX: '22',
      OTP_SUBNET_V6_PREFIX: '48',
      OTP_SUBNET_REQUEST_LIMIT: '50',
      OTP_SUBNET_VERIFY_LIMIT: '500',
      OTP_DOMAIN_REQUEST_LIMIT: '20',
      OTP_LARGE_PROVIDER_REQUEST_LIMIT: '400',
      OTP_LARGE_PROVIDER_DOMAINS: ' Gmail.com, example-provider.net ',
      BLOCK_DISPOSABLE_EMAIL: 'true',
      OTP_CHECK_MX: 'true',
      OTP_MX_TIMEOUT_MS: '500',
      OTP_MX_CACHE_SECONDS: '60',
    }).abuse;
    expect(abuse).toEqual({
      subnet: { prefixes: { v4: 22, v6: 48 }, requestLimit: 50, verifyLimit: 500 },
      domainRequests: {
        limit: 20,
        largeProviderLimit: 400,
        largeProviders: ['gmail.com', 'example-provider.net'],
        windowSeconds: 3600,
      },
      blockDisposable: true,
      mxCheck: { timeoutMs: 500, cacheSeconds: 60 },
    });
  });

  it.each([
    [{ OTP_SUBNET_V4_PREFIX: '33' }, 'OTP_SUBNET_V4_PREFIX'],
    [{ OTP_SUBNET_V6_PREFIX: '8' }, 'OTP_SUBNET_V6_PREFIX'],
    [{ OTP_LARGE_PROVIDER_DOMAINS: 'gmail.com, not a domain' }, 'OTP_LARGE_PROVIDER_DOMAINS must be domain names'],
    [
      { OTP_DOMAIN_REQUEST_LIMIT: '500', OTP_LARGE_PROVIDER_REQUEST_LIMIT: '100' },
      'OTP_LARGE_PROVIDER_REQUEST_LIMIT must be at least',
    ],
    [{ BLOCK_DISPOSABLE_EMAIL: 'yes' }, 'BLOCK_DISPOSABLE_EMAIL'],
  ])('refuses %j with a message naming it', (env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(message);
  });
});
