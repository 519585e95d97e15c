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

  /**
   * The index of the first digest that `code` matches, or -1. Every digest is compared, in constant time;
   * the HMAC is computed once per key (a digest made with a key we no longer hold, or the unknown key of
   * a decoy, is compared against the current key's HMAC and never matches). Computing it once per digest
   * cost three HMACs per verify for the same answer.
   */
  firstMatch(binding: CodeBinding, code: string, digests: readonly CodeDigest[]): number {
    const actualByKeyId = new Map<string, Buffer>();
    let found = -1;
    for (const [index, digest] of digests.entries()) {
      const key = this.keyring.find(digest.keyId);
      const macKey = key ?? this.keyring.current;
      let actual = actualByKeyId.get(macKey.id);
      if (actual === undefined) {
        actual = Buffer.from(hmacHex(macKey.key, binding, code), 'hex');
        actualByKeyId.set(macKey.id, actual);
      }
      const expected = Buffer.from(digest.hash, 'hex');
      const equal = expected.length === actual.length && timingSafeEqual(expected, actual);
      if (equal && key !== undefined && found === -1) found = index;
    }
    return found;
  }

  /** Constant-time comparison of one digest; see firstMatch. */
  matches(binding: CodeBinding, code: string, digest: CodeDigest): boolean {
    return this.firstMatch(binding, code, [digest]) === 0;
  }
}

function hmacHex(key: Buffer, binding: CodeBinding, code: string): string {
  // JSON framing keeps the fields unambiguous: ("ab", "c") and ("a", "bc") hash differently.
  const message = JSON.stringify([binding.purpose, binding.address, binding.context, code]);
  return createHmac('sha256', key).update(message).digest('hex');
}
