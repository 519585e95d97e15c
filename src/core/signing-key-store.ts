/** A token signing key as it is kept: public part in clear, private part sealed with SECRET_KEY. */
export interface StoredSigningKey {
  kid: string;
  /** The public JWK (OKP / Ed25519), as JSON text. */
  publicJwk: string;
  /** PKCS#8 DER of the private key, sealed (AES-256-GCM) with a key derived from SECRET_KEY. */
  sealedPrivateKey: string;
  createdAtMs: number;
  /** From when it signs. A rotated-in key is published a while before, so cached JWKS already hold it. */
  activatesAtMs: number;
  /** From when it no longer signs; it stays published until its last token has expired. */
  retiresAtMs: number | null;
}

/** Port: where signing keys live, shared by every process so they all sign and publish the same keys. */
export interface SigningKeyStore {
  listSigningKeys(): Promise<StoredSigningKey[]>;
  /** Adds `key` and retires every other key that has no retirement yet at `key.activatesAtMs`, atomically. */
  addSigningKey(key: StoredSigningKey): Promise<void>;
  /**
   * Replaces a key's sealed private key (re-sealed under the current SECRET_KEY), if it is still
   * `expectedSealed`: of two processes re-sealing at once, one writes and the other changes nothing.
   */
  resealSigningKey(kid: string, expectedSealed: string, sealedPrivateKey: string): Promise<void>;
  /** Deletes keys retired before `retiredBeforeMs`; their tokens have all expired. */
  deleteRetiredSigningKeys(retiredBeforeMs: number): Promise<number>;
}
