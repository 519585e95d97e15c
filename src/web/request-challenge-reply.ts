import type { FastifyReply, FastifyRequest } from 'fastify';
import { translate } from '../i18n/index.js';
import { sendPage } from './page-reply.js';
import type { PagesContext } from './pages-context.js';
import { localeOf } from './request-locale.js';
import { challengePage } from './views/challenge-page.js';

/**
 * Under pressure, the request form (and its resend) must bring a solved proof of work: without one the
 * answer is the challenge page (429, Retry-After: when a request without one may pass again); with a
 * refused one, a clear 4xx and a fresh challenge — never a code. Returns the reply sent, or null to go on.
 */
export async function replyWithChallengeIfRequired(
  context: PagesContext,
  request: FastifyRequest,
  reply: FastifyReply,
  form: { email: string; resend: boolean; altcha?: string | undefined },
): Promise<FastifyReply | null> {
  if (context.challenge === undefined) return null;
  const decision = await context.challenge.check({ clientIp: request.ip, email: form.email, answer: form.altcha });
  if (decision.type === 'pass') return null;
  const locale = localeOf(request);
  const failure = decision.failure === undefined ? undefined : decision.failure === 'expired' ? 'expired' : 'refused';
  // No answer: come back when the pressure is over, or solve this. A malformed answer is a bad request;
  // a well-formed one we refuse (forged, expired, spent, for another address) is forbidden.
  const status = decision.failure === undefined ? 429 : decision.failure === 'malformed' ? 400 : 403;
  if (status === 429) reply.header('retry-after', String(decision.retryAfterSeconds));
  const page = challengePage({
    locale,
    paths: context.paths,
    csrfToken: reply.generateCsrf(),
    email: form.email,
    resend: form.resend,
    challenge: decision.challenge,
    retryAfterSeconds: decision.retryAfterSeconds,
    ...(failure === undefined ? {} : { failure }),
  });
  return sendPage(reply, context, translate(locale, 'challenge.title'), page, status);
}
