import type { FastifyReply, FastifyRequest } from 'fastify';

const cookieName = 'otp_pending';

/**
 * Remembers which code this browser last asked for, so the verify page can tell whether its email is
 * still queued or could not be delivered. Holds an opaque id, never the code.
 */
export function setPendingCode(reply: FastifyReply, codeId: string, ttlSeconds: number, secure: boolean): void {
  reply.setCookie(cookieName, codeId, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/secure-otp/',
    maxAge: ttlSeconds,
  });
}

export function pendingCodeId(request: FastifyRequest): string | undefined {
  const raw = request.cookies[cookieName];
  if (raw === undefined) return undefined;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value !== null ? unsigned.value : undefined;
}
