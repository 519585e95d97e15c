import { createHash } from 'node:crypto';
import { pooledRandomBytes } from './pooled-random.js';

/**
 * The one-time link mailed beside the code. Its token is 256 random bits, so unlike a 6-digit code it
 * cannot be brute-forced: a plain SHA-256 at rest suffices (no key, so no rotation to follow), and
 * the store can look a token up by its hash. A link is bound to one code row: using either burns both.
 */
export const linkTokenBytes = 32;

export function createLinkToken(): string {
  return pooledRandomBytes(linkTokenBytes).toString('base64url');
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** 43 base64url characters: anything else is refused before the store is asked. */
export function isWellFormedLinkToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/**
 * The outcomes of using a link. The link has no address typed beside it, so its refusals are fewer
 * than a code's: an unknown, used or replaced link is `invalid_link`; the rest are the code's own.
 */
export type LinkVerifyOutcome =
  | { ok: true; address: string; purpose: string }
  | { ok: false; reason: 'invalid_link' | 'expired' | 'locked' }
  | { ok: false; reason: 'paused'; retryAfterSeconds: number };

export type LinkVerifyFailureReason = Extract<LinkVerifyOutcome, { ok: false }>['reason'];
