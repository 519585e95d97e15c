import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** One accepted API key, known only by its SHA-256 hash; the label names it in logs. */
export interface ApiKeyHash {
  label: string;
  /** Lower-case hex SHA-256 of the key. */
  sha256Hex: string;
}

/** Prefix of every key we mint, so a leaked one is easy to find with secret scanners. */
const apiKeyPrefix = 'otpk_';

/** A new key (shown once) and the hash to put in API_KEY_HASHES. 256 bits from the CSPRNG. */
export function generateApiKey(): { key: string; sha256Hex: string } {
  const key = `${apiKeyPrefix}${randomBytes(32).toString('base64url')}`;
  return { key, sha256Hex: sha256Hex(key) };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Checks bearer keys against the configured hashes. Storing only hashes means a leaked config or log
 * does not leak a usable key; comparing in constant time, against every hash, means response timing
 * says nothing about how close a guess came or which key matched.
 */
export class ApiKeyVerifier {
  private readonly hashes: readonly { label: string; digest: Buffer }[];

  constructor(hashes: readonly ApiKeyHash[]) {
    this.hashes = hashes.map((hash) => ({ label: hash.label, digest: Buffer.from(hash.sha256Hex, 'hex') }));
  }

  get isEmpty(): boolean {
    return this.hashes.length === 0;
  }

  /** The label of the key in an `Authorization: Bearer …` header, or null when it is missing or unknown. */
  verifyAuthorizationHeader(header: string | undefined): string | null {
    const match = /^Bearer ([\x21-\x7e]{1,256})$/.exec(header ?? '');
    if (match === null) return null;
    const presented = createHash('sha256').update(match[1]!, 'utf8').digest();
    let label: string | null = null;
    for (const hash of this.hashes) {
      // No early exit: every configured hash is compared on every call.
      if (timingSafeEqual(presented, hash.digest) && label === null) label = hash.label;
    }
    return label;
  }
}

/**
 * Parses API_KEY_HASHES: comma-separated entries, each `sha256hex` or `label:sha256hex`.
 * Returns the problems found instead of throwing, so config can report them all at once.
 */
export function parseApiKeyHashes(value: string): { hashes: ApiKeyHash[]; problems: string[] } {
  const hashes: ApiKeyHash[] = [];
  const problems: string[] = [];
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  entries.forEach((entry, index) => {
    const separator = entry.lastIndexOf(':');
    const label = separator < 0 ? `key-${index + 1}` : entry.slice(0, separator).trim();
    const hex = (separator < 0 ? entry : entry.slice(separator + 1)).trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) {
      problems.push(
        `API_KEY_HASHES entry ${index + 1} is not a SHA-256 hex hash (64 hex digits); make a key and its hash with: otp-app api-key`,
      );
    } else if (!/^[A-Za-z0-9._-]{1,64}$/.test(label)) {
      problems.push(`API_KEY_HASHES entry ${index + 1} has a label that is not letters, digits, ".", "_" or "-"`);
    } else hashes.push({ label, sha256Hex: hex });
  });
  return { hashes, problems };
}
