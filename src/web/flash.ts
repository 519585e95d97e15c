import type { FastifyReply, FastifyRequest } from 'fastify';

/** What one page tells the next across a redirect. Kept in a signed cookie, read once. */
export interface Flash {
  notice?: string;
  email?: string;
  verified?: { address: string; purpose: string };
}

const cookieName = 'otp_flash';

export function setFlash(reply: FastifyReply, flash: Flash, secure: boolean): void {
  reply.setCookie(cookieName, JSON.stringify(flash), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: 600,
  });
}

/** Returns the flash if its signature holds (a forged or stale one is ignored) and clears it. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply): Flash {
  const raw = request.cookies[cookieName];
  if (raw === undefined) return {};
  reply.clearCookie(cookieName, { path: '/' });
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return {};
  try {
    const parsed: unknown = JSON.parse(unsigned.value);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Flash) : {};
  } catch {
    return {};
  }
}
