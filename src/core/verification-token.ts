import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { sha256Hex } from './api-key.js';
import type { Clock } from './clock.js';
import type { PublicSigningJwk, SigningKeySource } from './signing-keyring.js';

/** How long verifiers may cache the key set; a rotated-in key is published longer than this before it signs. */
export const jwksMaxAgeSeconds = 300;

/** What a verification token says: who proved control of which address, for what, and bound to what. */
export interface VerificationClaims {
  /** The normalised address. */
  sub: string;
  purpose: string;
  /** Lower-case hex SHA-256 of the context's UTF-8 bytes; absent when the code had no context. */
  ctx?: string;
  iss: string;
  /** Who the token is for: `api-key:<label>` on the API, the RETURN_URL origin on the hosted pages. */
  aud?: string;
  /** The calling app's `state`, echoed, when the hosted pages were opened with one. */
  nonce?: string;
  iat: number;
  exp: number;
  jti: string;
}

export interface VerificationTokensOptions {
  keys: SigningKeySource;
  clock: Clock;
  /** `iss` of every token. @default the app name */
  issuer: string;
  /** @default 600 */
  ttlSeconds: number;
}

/** The token is only a statement of fact signed by us; a verifier needs nothing but our JWKS. */
export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/**
 * Signs the result of a successful verify as an Ed25519 JWT, so a calling back end can trust it
 * without calling us again: check the signature against /.well-known/jwks.json, then `exp`, `iss`,
 * `purpose`, and `ctx` against the SHA-256 of the text the user was asked to confirm.
 *
 * @example
 * const { token } = await tokens.issue({ address: 'anna@example.com', purpose: 'sign-in' });
 */
export class VerificationTokens {
  constructor(private readonly options: VerificationTokensOptions) {}

  get issuer(): string {
    return this.options.issuer;
  }

  /**
   * Makes sure a signing key is at hand (loading or making it). Call it before consuming a code, so a
   * key store that is down fails the request before the code is burnt rather than after.
   */
  async prepare(): Promise<void> {
    await this.options.keys.currentSigningKey();
  }

  /**
   * `audience` names the relying party the token is handed to, so a token minted for one caller is
   * refused by another that checks `aud` (a relying party should).
   */
  async issue(input: {
    address: string;
    purpose: string;
    context?: string;
    audience?: string;
    nonce?: string;
  }): Promise<IssuedToken> {
    const key = await this.options.keys.currentSigningKey();
    const iat = Math.floor(this.options.clock.nowMs() / 1000);
    const exp = iat + this.options.ttlSeconds;
    const claims: Record<string, string> = { purpose: input.purpose };
    if (input.context !== undefined && input.context !== '') claims.ctx = contextDigest(input.context);
    if (input.audience !== undefined) claims.aud = input.audience;
    if (input.nonce !== undefined) claims.nonce = input.nonce;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
      .setSubject(input.address)
      .setIssuer(this.options.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(key.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The JWKS document: every key whose tokens may still be valid, and the next key before it signs. */
  async jwks(): Promise<{ keys: PublicSigningJwk[] }> {
    return { keys: await this.options.keys.publishedKeys() };
  }
}

/** What `ctx` holds: hex SHA-256 of the context, so the token proves the binding without carrying the text. */
export function contextDigest(context: string): string {
  return sha256Hex(context);
}
