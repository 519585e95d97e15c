import type { FastifyReply } from 'fastify';
import { setFlash } from './flash.js';
import type { PagesContext } from './pages-context.js';
import { newVerifiedVisit } from './verified-visit.js';

/**
 * After a verify that succeeded (by code or by link): the success page learns who, and when by the
 * service's clock, from the flash (it honours it only briefly, see verifiedFlashMaxAgeMs).
 */
export function redirectToSuccess(
  reply: FastifyReply,
  context: PagesContext,
  verified: { address: string; purpose: string },
): FastifyReply {
  setFlash(
    reply,
    {
      verified: {
        address: verified.address,
        purpose: verified.purpose,
        atMs: context.service.nowMs(),
        ...newVerifiedVisit(reply.request),
      },
    },
    { secure: context.secureCookies, path: context.paths.siteCookiePath },
  );
  return reply.redirect(context.paths.success, 303);
}
