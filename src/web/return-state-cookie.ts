import type { FastifyReply, FastifyRequest } from 'fastify';

const cookieName = 'otp_return_state';
/** What a relying party may pass: an opaque value (OAuth-style `state`), short and URL-safe. */
const statePattern = /^[A-Za-z0-9._~-]{1,200}$/;

/**
 * A calling app that sends people to the hosted pages (RETURN_URL) passes `?state=…`; it comes back,
 * unchanged, beside the token on the form post and as the token's `nonce`. That lets the calling app
 * check the result belongs to the sign-in *it* started, so nobody can post their own valid token from a
 * victim's browser (login CSRF). Kept in a signed cookie from the first page to the success page.
 */
/** `options.path`: the flow's (PagePaths.start), where the success page is. */
export function rememberReturnState(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { secure: boolean; path: string },
): void {
  const state = (request.query as { state?: unknown } | undefined)?.state;
  if (typeof state !== 'string' || !statePattern.test(state)) return;
  reply.setCookie(cookieName, state, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: options.path,
    maxAge: 1800,
  });
}

/** The remembered state, if its signature holds; it is used once. */
export function takeReturnState(request: FastifyRequest, reply: FastifyReply, path: string): string | undefined {
  const raw = request.cookies[cookieName];
  if (raw === undefined) return undefined;
  reply.clearCookie(cookieName, { path });
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value !== null && statePattern.test(unsigned.value) ? unsigned.value : undefined;
}
