import type { FastifyReply, FastifyRequest } from 'fastify';
import { createFlowSecret } from '../core/verification-flow.js';

const cookieName = 'otp_pending';

/**
 * The code this browser last asked for: which one (an opaque id, never the code), to which address,
 * when it expires and when another may be sent. Kept in one signed cookie so the verify page can show
 * the address, whether the email is still queued or could not be delivered, the expiry and the resend
 * countdown — also after a reload or a failed verify. The server says how long to wait; the script
 * only animates it.
 *
 * It also holds the browser's flow secret: the code is bound to it, so a typed code is accepted only in
 * the browser that asked for it (the emailed link works anywhere). The cookie is signed and HttpOnly; the
 * store holds only the secret's hash.
 */
export interface PendingCode {
  codeId: string;
  address: string;
  expiresAtMs: number;
  resendAfterMs: number;
  flow: string;
}

/**
 * The flow of a verify from a browser that asked for no code (no pending cookie): no code is ever issued
 * to it, so its guesses meet nothing, cost the owner nothing, and are answered like any wrong code.
 */
export const flowWithoutRequest = 'pages:no-request';

/** The flow a request joins: this browser's, or a new one for a browser that has none. */
export function requestFlowOf(request: FastifyRequest): string {
  return pendingCodeOf(request)?.flow ?? createFlowSecret();
}

/** The flow a verify is compared in: this browser's, if it asked for a code. */
export function verifyFlowOf(request: FastifyRequest): string {
  return pendingCodeOf(request)?.flow ?? flowWithoutRequest;
}

/** What the verify page shows of the timing: the expiry (as a time and as seconds from now), the resend wait in seconds (absent at 0). */
export interface PendingCodeTiming {
  expiresAt?: Date;
  expiresInSeconds?: number;
  resendWaitSeconds?: number;
}

export interface PendingCodeCookieOptions {
  secure: boolean;
  /** The flow's path (see PagePaths.start): no other page needs it. */
  path: string;
  /** The code's lifetime: the cookie has nothing to say after it. */
  maxAgeSeconds: number;
}

export function setPendingCode(reply: FastifyReply, pending: PendingCode, options: PendingCodeCookieOptions): void {
  reply.setCookie(cookieName, JSON.stringify(pending), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: options.path,
    maxAge: Math.max(1, options.maxAgeSeconds),
  });
}

/** The pending code if its signature holds and its shape is right; a forged or stale cookie is ignored. */
export function pendingCodeOf(request: FastifyRequest): PendingCode | undefined {
  const raw = request.cookies[cookieName];
  if (raw === undefined) return undefined;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return undefined;
  try {
    return asPendingCode(JSON.parse(unsigned.value));
  } catch {
    return undefined;
  }
}

function asPendingCode(value: unknown): PendingCode | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { codeId, address, expiresAtMs, resendAfterMs, flow } = value as Record<string, unknown>;
  if (typeof codeId !== 'string' || typeof address !== 'string') return undefined;
  if (typeof flow !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(flow)) return undefined;
  if (!Number.isSafeInteger(expiresAtMs) || !Number.isSafeInteger(resendAfterMs)) return undefined;
  return { codeId, address, expiresAtMs: expiresAtMs as number, resendAfterMs: resendAfterMs as number, flow };
}

/** The timing as of `nowMs` (the service's clock): nothing about a code that has expired. */
export function pendingCodeTiming(pending: PendingCode | undefined, nowMs: number): PendingCodeTiming {
  if (pending === undefined || pending.expiresAtMs <= nowMs) return {};
  const waitSeconds = Math.ceil((pending.resendAfterMs - nowMs) / 1000);
  return {
    expiresAt: new Date(pending.expiresAtMs),
    // Whole seconds, rounded up: a code asked for a moment ago still reads "5 minutes", not "4".
    expiresInSeconds: Math.ceil((pending.expiresAtMs - nowMs) / 1000),
    ...(waitSeconds > 0 ? { resendWaitSeconds: waitSeconds } : {}),
  };
}
