import type { FastifyInstance } from 'fastify';
import { translate } from '../../i18n/index.js';
import { linkFailureMessage } from '../outcome-messages.js';
import { statusOfReason } from '../outcome-status.js';
import { pageRoutes } from '../page-paths.js';
import { sendPage } from '../page-reply.js';
import type { PagesContext } from '../pages-context.js';
import { localeOf } from '../request-locale.js';
import { redirectToSuccess } from '../success-redirect.js';
import { linkPage } from '../views/link-page.js';

interface LinkParams {
  token: string;
}

/**
 * The one-time link from the code email. GET only shows "Confirm it's you" and changes nothing: mail
 * scanners (Outlook Safe Links and the like) open links before the person does, and must not use them
 * up. The button POSTs, with the CSRF token of that page, and that is what verifies.
 */
export async function otpLinkRoutes(app: FastifyInstance, context: PagesContext): Promise<void> {
  const { service, paths, limits } = context;

  app.get<{ Params: LinkParams }>(pageRoutes.linkRoute, async (request, reply) => {
    const locale = localeOf(request);
    const page = linkPage({ locale, paths, csrfToken: reply.generateCsrf(), token: request.params.token });
    return sendPage(reply, context, translate(locale, 'link.title'), page);
  });

  app.post<{ Params: LinkParams }>(
    pageRoutes.linkRoute,
    {
      // The same per-network count as the verify form: a link is a verify.
      preHandler: [app.csrfProtection, context.subnetGuards.verify],
      config: { rateLimit: { max: limits.verifiesPerClient, timeWindow: limits.windowMs } },
    },
    async (request, reply) => {
      const locale = localeOf(request);
      const outcome = await service.verifyLink({ token: request.params.token });
      if (outcome.ok) return redirectToSuccess(reply, context, outcome);
      if (outcome.reason === 'paused') reply.header('retry-after', String(outcome.retryAfterSeconds));
      const page = linkPage({
        locale,
        paths,
        csrfToken: reply.generateCsrf(),
        token: request.params.token,
        message: linkFailureMessage(locale, outcome),
      });
      return sendPage(reply, context, translate(locale, 'link.title'), page, statusOfReason(outcome.reason));
    },
  );
}
