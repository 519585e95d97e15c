import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VerifiedVisit } from './verified-visit.js';

/**
 * What one page tells the next across a redirect. Kept in a signed cookie, read once. The address a
 * code went to is not here: it lives as long as the code, in the pending code (pending-code.ts).
 */
export interface Flash {
  notice?: string;
  /**
   * `atMs`: when the verify succeeded; the success page honours it only briefly (see verifiedFlashMaxAgeMs),
   * once, and only in the browser that verified (see verified-visit.ts).
   */
  verified?: { address: string; purpose: string; atMs: number } & Partial<VerifiedVisit>;
}

/**
 * A captured flash cookie must not become a lasting way to reach the success page (which can mint a
 * token for RETURN_URL): it is honoured only this long after the verify that set it.
 */
export const verifiedFlashMaxAgeMs = 60_000;

const cookieName = 'otp_flash';

/** `path`: every page's (PagePaths.siteCookiePath), since any of them may be the next. */
export function setFlash(reply: FastifyReply, flash: Flash, options: { secure: boolean; path: string }): void {
  reply.setCookie(cookieName, JSON.stringify(flash), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: options.path,
    maxAge: 600,
  });
}

/** Returns the flash if its signature holds (a forged or stale one is ignored) and clears it. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply, path: string): Flash {
  const raw = request.cookies[cookieName];
  if (raw === undefined) return {};
  reply.clearCookie(cookieName, { path });
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return {};
  try {
    const parsed: unknown = JSON.parse(unsigned.value);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Flash) : {};
  } catch {
    return {};
  }
}
