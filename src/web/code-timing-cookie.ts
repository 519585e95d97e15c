import type { FastifyReply, FastifyRequest } from 'fastify';

const cookieName = 'otp_timing';

/** When the code this browser last asked for expires, and when another may be sent. */
export interface CodeTiming {
  expiresAtMs: number;
  resendAfterMs: number;
}

/** What the verify page shows of that timing: the expiry as a time, the resend wait in seconds (absent at 0). */
export interface CodeTimingView {
  expiresAt?: Date;
  resendWaitSeconds?: number;
}

/**
 * Kept in a signed cookie so a reload, or a page rendered after a failed verify, still shows the
 * countdown and the expiry: the server says how long to wait, and the script only animates it.
 */
export function setCodeTiming(reply: FastifyReply, timing: CodeTiming, maxAgeSeconds: number, secure: boolean): void {
  reply.setCookie(cookieName, `${timing.expiresAtMs}.${timing.resendAfterMs}`, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/secure-otp/',
    maxAge: Math.max(1, maxAgeSeconds),
  });
}

export function codeTimingOf(request: FastifyRequest): CodeTiming | undefined {
  const raw = request.cookies[cookieName];
  if (raw === undefined) return undefined;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return undefined;
  const [expiresAtMs, resendAfterMs] = unsigned.value.split('.').map(Number);
  if (!Number.isSafeInteger(expiresAtMs) || !Number.isSafeInteger(resendAfterMs)) return undefined;
  return { expiresAtMs: expiresAtMs!, resendAfterMs: resendAfterMs! };
}

/** The timing as of `nowMs` (the service's clock): nothing about a code that has expired. */
export function codeTimingView(timing: CodeTiming | undefined, nowMs: number): CodeTimingView {
  if (timing === undefined || timing.expiresAtMs <= nowMs) return {};
  const waitSeconds = Math.ceil((timing.resendAfterMs - nowMs) / 1000);
  return { expiresAt: new Date(timing.expiresAtMs), ...(waitSeconds > 0 ? { resendWaitSeconds: waitSeconds } : {}) };
}
