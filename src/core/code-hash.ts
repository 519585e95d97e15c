import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretKeyring } from './secret-keyring.js';

/** What a code is bound to. The same digits for another purpose, address or context never match. */
export interface CodeBinding {
  purpose: string;
  address: string;
  context: string;
}

export interface CodeDigest {
  keyId: string;
  hash: string;
}

/**
 * HMAC-SHA256 over (purpose, address, context, code). A plain SHA-256 of a 6-digit code falls to brute
 * force in a second; without the secret, a leaked table reveals nothing.
 */
export class CodeHasher {
  constructor(private readonly keyring: SecretKeyring) {}

  digest(binding: CodeBinding, code: string): CodeDigest {
    const key = this.keyring.current;
    return { keyId: key.id, hash: hmacHex(key.key, binding, code) };
  }

  /** Constant-time comparison; a digest made with a key we no longer hold never matches. */
  matches(binding: CodeBinding, code: string, digest: CodeDigest): boolean {
    const key = this.keyring.find(digest.keyId);
    const expected = Buffer.from(digest.hash, 'hex');
    // Without the key, compare against a fresh HMAC anyway so both paths cost the same.
    const actual = Buffer.from(hmacHex(key?.key ?? this.keyring.current.key, binding, code), 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual) && key !== undefined;
  }
}

function hmacHex(key: Buffer, binding: CodeBinding, code: string): string {
  // JSON framing keeps the fields unambiguous: ("ab", "c") and ("a", "bc") hash differently.
  const message = JSON.stringify([binding.purpose, binding.address, binding.context, code]);
  return createHmac('sha256', key).update(message).digest('hex');
}
