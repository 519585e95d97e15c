import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';

/** What a checked verification token says (see the server's VerificationClaims). */
export interface OtpTokenClaims {
  /** The verified address, normalised. */
  sub: string;
  purpose: string;
  /** Hex SHA-256 of the context the code was bound to; absent for a code without one. */
  ctx?: string;
  iss: string;
  aud: string;
  /** The `state` a calling app passed to the hosted pages, echoed. */
  nonce?: string;
  iat: number;
  exp: number;
  /** Unique per token: keep the ones you accepted until `exp` to refuse a replay. */
  jti: string;
}

export interface VerifyOtpTokenOptions {
  /** The service's key set, e.g. `https://otp.example.com/.well-known/jwks.json`; fetched once and cached. */
  jwksUrl?: string | URL;
  /** Or the key set itself. */
  jwks?: JSONWebKeySet;
  /** The service's TOKEN_ISSUER (its APP_NAME unless set). */
  issuer: string;
  /** `api-key:<label>` for tokens from the API, the RETURN_URL origin for tokens from the hosted pages. */
  audience: string;
  purpose: string;
  /**
   * The exact text the person was asked to confirm. When given, the token must be bound to it; when not,
   * a token bound to some context is refused (it confirms an action, not a sign-in).
   */
  context?: string;
  /** Allowed clock skew. @default 5 */
  clockToleranceSeconds?: number;
  /** "Now", for tests. @default the current time */
  currentDate?: Date;
}

export type OtpTokenFailure =
  | 'malformed'
  | 'bad_signature'
  | 'expired'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_purpose'
  | 'wrong_context'
  | 'keys_unavailable';

export type OtpTokenResult = { ok: true; claims: OtpTokenClaims } | { ok: false; reason: OtpTokenFailure; detail: string };

const remoteKeySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Checks a verification token the way every relying party should: the signature against the service's
 * JWKS with the algorithm pinned to EdDSA (a token claiming `none` or HS256 is refused), then issuer,
 * audience, expiry, purpose and the context binding. Returns the claims, or why it was refused.
 *
 * @example
 * const checked = await verifyOtpToken(token, {
 *   jwksUrl: 'https://otp.example.com/.well-known/jwks.json',
 *   issuer: 'otp-app', audience: 'api-key:shop', purpose: 'confirm-action', context: 'Pay 120.00 EUR to ACME Ltd',
 * });
 * if (checked.ok) acceptPayment(checked.claims.sub);
 */
export async function verifyOtpToken(token: string, options: VerifyOtpTokenOptions): Promise<OtpTokenResult> {
  const keys = keySetFor(options);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ['EdDSA'],
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceSeconds ?? 5,
      requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      ...(options.currentDate === undefined ? {} : { currentDate: options.currentDate }),
    }));
  } catch (error) {
    return refusalFor(error);
  }
  if (payload.purpose !== options.purpose) {
    return { ok: false, reason: 'wrong_purpose', detail: `the token is for "${String(payload.purpose)}"` };
  }
  const expectedContext = options.context === undefined ? undefined : await sha256Hex(options.context);
  if (payload.ctx !== expectedContext) {
    return { ok: false, reason: 'wrong_context', detail: 'the token is not bound to this context' };
  }
  return { ok: true, claims: payload as unknown as OtpTokenClaims };
}

function keySetFor(options: VerifyOtpTokenOptions) {
  if (options.jwks !== undefined) return createLocalJWKSet(options.jwks);
  if (options.jwksUrl === undefined) throw new TypeError('verifyOtpToken needs jwksUrl or jwks');
  const url = String(options.jwksUrl);
  let keySet = remoteKeySets.get(url);
  if (keySet === undefined) {
    keySet = createRemoteJWKSet(new URL(url));
    remoteKeySets.set(url, keySet);
  }
  return keySet;
}

function refusalFor(error: unknown): { ok: false; reason: OtpTokenFailure; detail: string } {
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired', detail };
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return { ok: false, reason: 'wrong_issuer', detail };
    if (error.claim === 'aud') return { ok: false, reason: 'wrong_audience', detail };
    return { ok: false, reason: 'malformed', detail };
  }
  // The key set could not be had: a timeout, an unreadable answer, a non-200, or fetch itself failing.
  const keysMissing =
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError) ||
    error.code === 'ERR_JOSE_GENERIC';
  if (keysMissing) return { ok: false, reason: 'keys_unavailable', detail };
  // An unknown key id, a signature that does not verify, or another algorithm (none, HS256): not ours.
  const untrusted =
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JOSEAlgNotAllowed;
  if (untrusted) {
    return { ok: false, reason: 'bad_signature', detail };
  }
  return { ok: false, reason: 'malformed', detail };
}

/** The server's contextDigest, with WebCrypto (no `node:crypto`, so it runs on edge runtimes too). */
async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
