import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { generateApiKey } from '../../src/core/api-key.js';

const productionEnv = {
  NODE_ENV: 'production',
  SECRET_KEY: 'a-production-secret-key-of-more-than-32-bytes-0123456789',
  SMTP_URL: 'smtp://mail.example.com:587',
};
const dirs: string[] = [];

function load(env: Record<string, string | undefined>) {
  const dir = mkdtempSync(join(tmpdir(), 'otp-app-api-config-'));
  dirs.push(dir);
  return loadConfig({ DATA_DIR: dir, ...env });
}

function problemsOf(env: Record<string, string | undefined>): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('API configuration', () => {
  const { sha256Hex } = generateApiKey();

  it('enables the API when keys are configured, and not otherwise', () => {
    expect(load({}).api.enabled).toBe(false);
    expect(load({ API_KEY_HASHES: sha256Hex }).api).toMatchObject({ enabled: true, keyHashes: [{ label: 'key-1', sha256Hex }] });
    expect(load({ API_KEY_HASHES: `billing:${sha256Hex.toUpperCase()}` }).api.keyHashes).toEqual([
      { label: 'billing', sha256Hex },
    ]);
  });

  it('refuses to start in production with the API enabled and no keys, naming the fix', () => {
    const message = problemsOf({ ...productionEnv, API_ENABLED: 'true' });
    expect(message).toContain('API_KEY_HASHES');
    expect(message).toContain('otp-app api-key');
    expect(load({ ...productionEnv, API_KEY_HASHES: sha256Hex }).api.enabled).toBe(true);
    expect(load({ ...productionEnv, API_ENABLED: 'false' }).api.enabled).toBe(false);
  });

  it('refuses an API key hash that is not a SHA-256 hex digest (e.g. the key itself)', () => {
    expect(problemsOf({ API_KEY_HASHES: generateApiKey().key })).toContain('API_KEY_HASHES entry 1');
  });

  it('refuses a RETURN_URL that is not absolute http(s), and plain http in production', () => {
    expect(problemsOf({ RETURN_URL: 'javascript:alert(1)' })).toContain('RETURN_URL');
    expect(problemsOf({ RETURN_URL: '/relative' })).toContain('RETURN_URL');
    expect(problemsOf({ ...productionEnv, API_KEY_HASHES: sha256Hex, RETURN_URL: 'http://shop.example.com/cb' })).toContain(
      'https',
    );
    expect(load({ RETURN_URL: 'http://localhost:3000/cb' }).api.returnUrl).toBe('http://localhost:3000/cb');
  });

  it('reads the token settings, defaulting the issuer to APP_NAME', () => {
    expect(load({}).api.tokens).toEqual({ ttlSeconds: 600, issuer: 'otp-app', signingKeys: [], rotateAfterDays: 90 });
    expect(
      load({ APP_NAME: 'Shop', TOKEN_TTL_SECONDS: '120', TOKEN_ISSUER: 'https://shop.example.com' }).api.tokens,
    ).toMatchObject({
      ttlSeconds: 120,
      issuer: 'https://shop.example.com',
    });
  });

  it('freezes the API settings all the way down', () => {
    const api = load({ API_KEY_HASHES: sha256Hex }).api;
    expect(
      Object.isFrozen(api) && Object.isFrozen(api.keyHashes) && Object.isFrozen(api.keyHashes[0]) && Object.isFrozen(api.tokens),
    ).toBe(true);
  });
});
