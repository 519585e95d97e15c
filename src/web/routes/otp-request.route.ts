import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { translate } from '../../i18n/index.js';
import { setFlash } from '../flash.js';
import { parseForm, requestForm } from '../form-input.js';
import { codeSentNotice, type FieldMessage, invalidEmailMessage, requestFailureMessage } from '../outcome-messages.js';
import { statusOfReason } from '../outcome-status.js';
import { pageRoutes } from '../page-paths.js';
import { sendPage } from '../page-reply.js';
import type { PagesContext } from '../pages-context.js';
import { pendingCodeOf, pendingCodeTiming, requestFlowOf, setPendingCode } from '../pending-code.js';
import { replyWithChallengeIfRequired } from '../request-challenge-reply.js';
import { localeOf } from '../request-locale.js';
import { requestPage } from '../views/request-page.js';
import { verifyPage } from '../views/verify-page.js';

export async function otpRequestRoutes(app: FastifyInstance, context: PagesContext): Promise<void> {
  const { service, paths, limits } = context;

  app.get(pageRoutes.request, async (request, reply) => {
    const locale = localeOf(request);
    // "Change address" lands here: a fresh field, not the address the last code went to.
    const page = requestPage({ locale, paths, csrfToken: reply.generateCsrf(), email: '' });
    return sendPage(reply, context, translate(locale, 'request.title'), page);
  });

  app.post(
    pageRoutes.request,
    {
      preHandler: [app.csrfProtection, context.subnetGuards.request],
      config: { rateLimit: { max: limits.requestsPerClient, timeWindow: limits.windowMs } },
    },
    async (request, reply) => {
      const locale = localeOf(request);
      const form = parseForm(requestForm, request.body);
      if (!form.ok) {
        return renderFailure(request, reply, { field: 'email', text: invalidEmailMessage(locale) }, 400, '', false);
      }
      const resend = form.value.resend === '1';
      // Under pressure only: a proof of work first (docs/challenge.md).
      const challenged = await replyWithChallengeIfRequired(context, request, reply, { ...form.value, resend });
      if (challenged !== null) return challenged;
      // The email goes out in the language of the page the person asked from. The code is bound to this
      // browser's flow: typed elsewhere it is refused; the link in the email works on any device.
      const flow = requestFlowOf(request);
      const outcome = await service.request({
        address: form.value.email,
        clientIp: request.ip,
        locale,
        withLink: true,
        flow,
      });
      if (outcome.ok) {
        const ttlSeconds = service.policy.codeTtlSeconds;
        const cookies = { secure: context.secureCookies };
        setFlash(
          reply,
          { notice: codeSentNotice(locale, outcome.address, ttlSeconds, resend) },
          { ...cookies, path: paths.siteCookiePath },
        );
        setPendingCode(
          reply,
          {
            codeId: outcome.codeId,
            address: outcome.address,
            expiresAtMs: outcome.expiresAt.getTime(),
            resendAfterMs: outcome.resendAfter.getTime(),
            flow,
          },
          { ...cookies, path: paths.start, maxAgeSeconds: ttlSeconds },
        );
        return reply.redirect(paths.verify, 303);
      }
      if ('retryAfterSeconds' in outcome) reply.header('retry-after', String(outcome.retryAfterSeconds));
      const message = requestFailureMessage(locale, outcome);
      const wait = outcome.reason === 'cooldown' ? outcome.retryAfterSeconds : undefined;
      return renderFailure(request, reply, message, statusOfReason(outcome.reason), form.value.email, resend, wait);
    },
  );

  /** A failed resend stays on the verify page, where the person was; a failed first request on its own form. */
  function renderFailure(
    request: FastifyRequest,
    reply: FastifyReply,
    message: FieldMessage,
    status: number,
    email: string,
    resend: boolean,
    resendWaitSeconds?: number,
  ) {
    const locale = localeOf(request);
    const csrfToken = reply.generateCsrf();
    if (resend) {
      const timing = pendingCodeTiming(pendingCodeOf(request), service.nowMs());
      const page = verifyPage({
        locale,
        paths,
        csrfToken,
        email,
        code: '',
        codeLength: service.policy.codeLength,
        message: { ...message, field: 'form' },
        expiresAt: timing.expiresAt,
        expiresInSeconds: timing.expiresInSeconds,
        resendWaitSeconds: resendWaitSeconds ?? timing.resendWaitSeconds,
      });
      return sendPage(reply, context, translate(locale, 'verify.title'), page, status);
    }
    return sendPage(
      reply,
      context,
      translate(locale, 'request.title'),
      requestPage({ locale, paths, csrfToken, email, message }),
      status,
    );
  }
}
