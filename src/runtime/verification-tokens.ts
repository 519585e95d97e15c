import type { Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { SealedBox } from '../core/sealed-box.js';
import { SecretKeyring } from '../core/secret-keyring.js';
import { type SigningKeySource, StoredSigningKeyring, signingKeysFromText } from '../core/signing-keyring.js';
import { jwksMaxAgeSeconds, VerificationTokens } from '../core/verification-token.js';
import { KyselySigningKeyStore } from '../store/kysely-signing-key-store.js';

const keyReloadIntervalMs = 60_000;

/**
 * The token signer of a runtime: operator keys from TOKEN_SIGNING_KEYS, or keys generated once and kept
 * in the database (private halves sealed with SECRET_KEY) so every process signs and publishes the same.
 */
export async function createVerificationTokens(
  config: Readonly<Config>,
  db: Kysely<any>,
  clock: Clock,
): Promise<{ tokens: VerificationTokens; storedKeys?: StoredSigningKeyring }> {
  const settings = config.api.tokens;
  let keys: SigningKeySource;
  let storedKeys: StoredSigningKeyring | undefined;
  if (settings.signingKeys.length > 0) {
    try {
      keys = await signingKeysFromText(settings.signingKeys);
    } catch {
      throw new ConfigError(
        'Invalid configuration:\n  TOKEN_SIGNING_KEYS must be Ed25519 private keys (PKCS#8, PEM or base64 DER); make one with: openssl genpkey -algorithm ed25519 | openssl pkcs8 -topk8 -nocrypt -outform DER | base64 -w0',
      );
    }
  } else {
    storedKeys = new StoredSigningKeyring({
      store: new KyselySigningKeyStore(db),
      sealer: new SealedBox(new SecretKeyring(config.secretKey, config.oldSecretKeys, 'token signing key seal v1')),
      clock,
      tokenTtlMs: settings.ttlSeconds * 1000,
      rotateAfterMs: settings.rotateAfterDays * 86_400_000,
      // Longer than a verifier's JWKS cache plus our own reload interval, with room to spare.
      publishAheadMs: 2 * (jwksMaxAgeSeconds * 1000 + keyReloadIntervalMs),
      reloadIntervalMs: keyReloadIntervalMs,
    });
    keys = storedKeys;
  }
  const tokens = new VerificationTokens({ keys, clock, issuer: settings.issuer, ttlSeconds: settings.ttlSeconds });
  return { tokens, ...(storedKeys === undefined ? {} : { storedKeys }) };
}
