import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { generateApiKey } from '../../src/core/api-key.js';

const dirs: string[] = [];

function load(env: Record<string, string | undefined>) {
  const dir = mkdtempSync(join(tmpdir(), 'otp-app-bounce-config-'));
  dirs.push(dir);
  return loadConfig({ DATA_DIR: dir, SECRET_KEY: 'bounce-config-test-secret-0123456789abcdef', ...env });
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

describe('bounce settings (BOUNCE_*, DELIVERY_EVENTS_API_KEYS)', () => {
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('are off by default: no VERP address, no receiver, no key may post delivery events', () => {
    expect(load({}).bounces).toEqual({ webhookApiKeyLabels: [] });
  });

  it('take BOUNCE_ADDRESS apart, lower-cased, and set up the receiver on loopback by default', () => {
    const { bounces } = load({ BOUNCE_ADDRESS: 'Bounces@Mail.Example.com', BOUNCE_SMTP_PORT: '2525' });
    expect(bounces.address).toEqual({ localPart: 'bounces', domain: 'mail.example.com' });
    expect(bounces.receiver).toEqual({ host: '127.0.0.1', port: 2525, maxMessageBytes: 262_144 });
    expect(
      load({
        BOUNCE_ADDRESS: 'b@m.example',
        BOUNCE_SMTP_PORT: '25',
        BOUNCE_SMTP_HOST: '0.0.0.0',
        BOUNCE_MAX_MESSAGE_BYTES: '65536',
      }).bounces.receiver,
    ).toEqual({
      host: '0.0.0.0',
      port: 25,
      maxMessageBytes: 65_536,
    });
  });

  it('refuse a receiver without BOUNCE_ADDRESS, and a bounce address that cannot carry a token', () => {
    expect(problemsOf({ BOUNCE_SMTP_PORT: '2525' })).toContain('BOUNCE_SMTP_PORT needs BOUNCE_ADDRESS');
    expect(problemsOf({ BOUNCE_ADDRESS: 'bounces' })).toContain('BOUNCE_ADDRESS must be an address like');
    expect(problemsOf({ BOUNCE_ADDRESS: `${'b'.repeat(16)}@mail.example.com` })).toContain('at most 15');
    expect(problemsOf({ BOUNCE_ADDRESS: 'b@m.example', BOUNCE_MAX_MESSAGE_BYTES: '100' })).toContain('BOUNCE_MAX_MESSAGE_BYTES');
  });

  it('accept only labels of configured API keys in DELIVERY_EVENTS_API_KEYS', () => {
    const key = generateApiKey();
    expect(
      load({ API_KEY_HASHES: `esp:${key.sha256Hex}`, DELIVERY_EVENTS_API_KEYS: ' esp ' }).bounces.webhookApiKeyLabels,
    ).toEqual(['esp']);
    expect(problemsOf({ API_KEY_HASHES: `esp:${key.sha256Hex}`, DELIVERY_EVENTS_API_KEYS: 'esp,nobody' })).toContain(
      'DELIVERY_EVENTS_API_KEYS names "nobody"',
    );
  });
});
