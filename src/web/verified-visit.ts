import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { SuccessVisitStore } from '../core/success-visit-store.js';

/** The cookie of @fastify/csrf-protection's secret: random, HttpOnly, set before any form could verify. */
const csrfSecretCookie = '_csrf';

/**
 * What a "verified" flash carries besides who verified, so the success page (which can mint a token
 * for RETURN_URL) is shown once, and only to the browser that verified: a captured flash replayed from
 * another browser, or replayed at all, gets nothing.
 */
export interface VerifiedVisit {
  /** 128 random bits; the success page records its hash as spent in the database. */
  visitId: string;
  /** A hash of the browser's CSRF secret (which the flash, signed but readable, must not carry itself). */
  browser: string;
}

export function newVerifiedVisit(request: FastifyRequest): VerifiedVisit {
  // A verify always passed the CSRF check, so the secret is there; if not, bind to nothing anyone holds.
  return {
    visitId: randomBytes(16).toString('base64url'),
    browser: browserBinding(request) ?? randomBytes(32).toString('base64url'),
  };
}

/** Whether `visit` was made in this browser and is shown here for the first time (which spends it). */
export async function claimVerifiedVisit(
  request: FastifyRequest,
  visit: Partial<VerifiedVisit>,
  store: SuccessVisitStore,
  keepUntilMs: number,
): Promise<boolean> {
  if (typeof visit.visitId !== 'string' || typeof visit.browser !== 'string') return false;
  const here = browserBinding(request);
  if (here === undefined || !sameText(here, visit.browser)) return false;
  return store.spendSuccessVisit(sha256(visit.visitId), keepUntilMs);
}

function browserBinding(request: FastifyRequest): string | undefined {
  const raw = request.cookies[csrfSecretCookie];
  if (raw === undefined) return undefined;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null || unsigned.value === '') return undefined;
  return createHash('sha256').update(`otp-app success binding v1\0${unsigned.value}`).digest('base64url');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
