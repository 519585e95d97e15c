import { createCipheriv, createDecipheriv } from 'node:crypto';
import { pooledRandomBytes } from './pooled-random.js';
import type { SecretKeyring } from './secret-keyring.js';

/**
 * Authenticated encryption (AES-256-GCM) for the queued email, which must carry the code until it is
 * sent: a copy of the database without the secret shows no code even while mail is waiting.
 * Sealed form: `keyId.iv.ciphertextAndTag`, base64url parts.
 */
export class SealedBox {
  constructor(private readonly keyring: SecretKeyring) {}

  seal(plaintext: string): string {
    const { id, key } = this.keyring.current;
    const iv = pooledRandomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [id, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  /**
   * The box sealed again under the current key, if it was sealed under an old one that still opens it;
   * null when it is already current or cannot be opened. Stored secrets that outlive a rotation of
   * SECRET_KEY move to the new key this way, before the old one is dropped.
   */
  reseal(sealed: string): string | null {
    if (sealed.startsWith(`${this.keyring.current.id}.`)) return null;
    const opened = this.open(sealed);
    return opened === null ? null : this.seal(opened);
  }

  /** Null when the key is gone (rotated out) or the box was tampered with. */
  open(sealed: string): string | null {
    const [keyId = '', ivText = '', bodyText = ''] = sealed.split('.');
    const key = this.keyring.find(keyId);
    if (key === undefined) return null;
    const body = Buffer.from(bodyText, 'base64url');
    if (body.length < 16) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(ivText, 'base64url'));
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
