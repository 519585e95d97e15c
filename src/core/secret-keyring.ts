import { createHash, hkdfSync } from 'node:crypto';

/** One derived key and the short id stored beside everything it signed, so rotation can find it. */
export interface DerivedKey {
  id: string;
  key: Buffer;
}

/**
 * The current secret signs; old secrets only verify. Each use gets its own key derived with HKDF, so
 * the code hash key, the cookie key and any later key never coincide even though one secret feeds them.
 */
export class SecretKeyring {
  readonly current: DerivedKey;
  private readonly byId: Map<string, DerivedKey>;

  constructor(currentSecret: string, oldSecrets: readonly string[], purpose: string) {
    const keys = [currentSecret, ...oldSecrets].map((secret) => deriveKey(secret, purpose));
    this.current = keys[0]!;
    this.byId = new Map(keys.map((key) => [key.id, key]));
  }

  find(id: string): DerivedKey | undefined {
    return this.byId.get(id);
  }

  /** Current key first: a verifier for signed cookies tries them in this order. */
  all(): DerivedKey[] {
    return [...this.byId.values()];
  }
}

function deriveKey(secret: string, purpose: string): DerivedKey {
  const key = Buffer.from(hkdfSync('sha256', secret, 'otp-app', purpose, 32));
  const id = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return { id, key };
}
