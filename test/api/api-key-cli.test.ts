import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApiKeyVerifier, generateApiKey, parseApiKeyHashes } from '../../src/core/api-key.js';

const cli = fileURLToPath(new URL('../../src/cli/cli.ts', import.meta.url));

describe('otp-app api-key', () => {
  // Starting the CLI loads the whole app through tsx; on a busy machine that takes a while.
  it('prints a new key and the API_KEY_HASHES entry that accepts exactly that key', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', cli, 'api-key'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    const key = /^\s+(otpk_[\w-]{43})$/m.exec(output)?.[1];
    const entry = /^\s+(key:[0-9a-f]{64})$/m.exec(output)?.[1];
    expect(key).toBeDefined();
    expect(entry).toBe(`key:${createHash('sha256').update(key!).digest('hex')}`);

    const { hashes, problems } = parseApiKeyHashes(entry!);
    expect(problems).toEqual([]);
    const verifier = new ApiKeyVerifier(hashes);
    expect(verifier.verifyAuthorizationHeader(`Bearer ${key}`)).toBe('key');
    expect(verifier.verifyAuthorizationHeader(`Bearer ${key!.slice(0, -1)}x`)).toBeNull();
  }, 60_000);

  it('makes a different 256-bit key every time', () => {
    const keys = new Set(Array.from({ length: 100 }, () => generateApiKey().key));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(Buffer.from(key.slice('otpk_'.length), 'base64url')).toHaveLength(32);
  });
});
