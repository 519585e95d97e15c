import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'otp-app-dkim-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rsaKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const keyFile = join(dir, 'dkim.pem');
writeFileSync(keyFile, rsaKeyPem, { mode: 0o600 });
const dkimEnv = { DKIM_DOMAIN: 'Example.com', DKIM_SELECTOR: 'otp1', DKIM_PRIVATE_KEY: keyFile };

function load(env: Record<string, string>) {
  return loadConfig({ DATA_DIR: dir, SECRET_KEY: 'dkim-config-test-secret-key-0123456789abcdef', ...env });
}

/** The message of the ConfigError that loading `env` throws. */
function problemsWith(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('DKIM configuration', () => {
  it('is off when none of the three variables is set (or all are empty)', () => {
    expect(load({}).dkim).toBeUndefined();
    expect(load({ DKIM_DOMAIN: '', DKIM_SELECTOR: ' ', DKIM_PRIVATE_KEY: '' }).dkim).toBeUndefined();
  });

  it('reads the key from a file, lower-cases the names, and freezes the result', () => {
    const { dkim } = load(dkimEnv);
    expect(dkim).toMatchObject({ domain: 'example.com', selector: 'otp1' });
    expect(dkim?.privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(Object.isFrozen(dkim)).toBe(true);
  });

  it('takes the PEM itself, also written on one line with \\n as in .env files', () => {
    expect(load({ ...dkimEnv, DKIM_PRIVATE_KEY: rsaKeyPem }).dkim?.privateKeyPem).toBe(rsaKeyPem);
    expect(load({ ...dkimEnv, DKIM_PRIVATE_KEY: rsaKeyPem.replaceAll('\n', '\\n') }).dkim?.privateKeyPem).toBe(rsaKeyPem);
  });

  it('accepts a PKCS#1 key (BEGIN RSA PRIVATE KEY), as openssl genrsa writes', () => {
    const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' });
    expect(load({ ...dkimEnv, DKIM_PRIVATE_KEY: pkcs1.toString() }).dkim?.privateKeyPem).toContain('BEGIN PRIVATE KEY');
  });

  it.each([
    [{ DKIM_DOMAIN: 'example.com' }, 'DKIM_SELECTOR and DKIM_PRIVATE_KEY'],
    [{ DKIM_DOMAIN: 'example.com', DKIM_SELECTOR: 'otp1' }, 'DKIM_PRIVATE_KEY'],
    [{ DKIM_PRIVATE_KEY: keyFile }, 'DKIM_DOMAIN and DKIM_SELECTOR'],
  ])('refuses some but not all of the three (%o), naming the missing ones and the keygen command', (env, missing) => {
    const message = problemsWith(env);
    expect(message).toContain('DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY go together');
    expect(message).toContain(`set ${missing} too, or unset all three`);
    expect(message).toContain('otp-app dkim-keygen --domain');
  });

  it('refuses a domain or a selector that is not a DNS name', () => {
    expect(problemsWith({ ...dkimEnv, DKIM_DOMAIN: 'localhost' })).toMatch(/DKIM_DOMAIN must be a domain name like example.com/);
    expect(problemsWith({ ...dkimEnv, DKIM_DOMAIN: 'https://example.com' })).toMatch(/DKIM_DOMAIN must be/);
    expect(problemsWith({ ...dkimEnv, DKIM_SELECTOR: 'otp 1' })).toMatch(/DKIM_SELECTOR must be a DNS label/);
    expect(problemsWith({ ...dkimEnv, DKIM_SELECTOR: 'otp1._domainkey' })).toMatch(/DKIM_SELECTOR must be/);
  });

  it('refuses a file it cannot read, naming the path and the two accepted forms', () => {
    const missing = join(dir, 'no-such-key.pem');
    const message = problemsWith({ ...dkimEnv, DKIM_PRIVATE_KEY: missing });
    expect(message).toContain(`DKIM_PRIVATE_KEY file ${missing} cannot be read (ENOENT)`);
    expect(message).toContain('the PEM text');
  });

  it('refuses what is not an RSA private key of at least 1024 bits, and never repeats the key', () => {
    const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(problemsWith({ ...dkimEnv, DKIM_PRIVATE_KEY: ed25519 })).toMatch(/must be an RSA key/);
    const small = generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(problemsWith({ ...dkimEnv, DKIM_PRIVATE_KEY: small.toString() })).toMatch(/512-bit RSA key; .* use 2048/);

    // A key pasted without its BEGIN/END lines is read as a path; the error must not echo it.
    const body = rsaKeyPem.split('\n').slice(1, -2).join('');
    const message = problemsWith({ ...dkimEnv, DKIM_PRIVATE_KEY: body });
    expect(message).toMatch(/DKIM_PRIVATE_KEY cannot be read/);
    expect(message).not.toContain(body.slice(0, 40));
    // A PEM cut short (a bad copy): refused, its content not echoed.
    const lines = rsaKeyPem.trim().split('\n');
    const truncated = [...lines.slice(0, 4), lines.at(-1)].join('\n');
    const truncatedMessage = problemsWith({ ...dkimEnv, DKIM_PRIVATE_KEY: truncated });
    expect(truncatedMessage).toMatch(/is not an unencrypted PEM private key/);
    expect(truncatedMessage).not.toContain(lines[2]);
  });
});
