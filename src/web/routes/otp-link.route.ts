import type { FastifyInstance } from 'fastify';
import type { LinkVerifyFailureReason } from '../../core/link-token.js';
import type { OtpService } from '../../core/otp-service.js';
import { translate } from '../../i18n/index.js';
import { setFlash } from '../flash.js';
import { linkFailureMessage } from '../outcome-messages.js';
import { sendPage } from '../page-reply.js';
import { localeOf } from '../request-locale.js';
import { linkPage } from '../views/link-page.js';

export interface OtpLinkRouteOptions {
  service: OtpService;
  appName: string;
  secureCookies: boolean;
  ipVerifyLimit: number;
  ipRequestWindowSeconds: number;
}

const statusByReason: Record<LinkVerifyFailureReason, number> = {
  invalid_link: 410,
  expired: 410,
  locked: 423,
  paused: 429,
};

interface LinkParams {
  token: string;
}

/**
 * The one-time link from the code email. GET only shows "Confirm it's you" and changes nothing: mail
 * scanners (Outlook Safe Links and the like) open links before the person does, and must not use them
 * up. The button POSTs, with the CSRF token of that page, and that is what verifies.
 */
export async function otpLinkRoutes(app: FastifyInstance, options: OtpLinkRouteOptions): Promise<void> {
  const { service, appName } = options;
  app.removeContentTypeParser(['application/json', 'text/plain']);

  app.get<{ Params: LinkParams }>('/secure-otp/link/:token', async (request, reply) => {
    const locale = localeOf(request);
    const page = linkPage({ locale, csrfToken: reply.generateCsrf(), token: request.params.token });
    return sendPage(reply, appName, translate(locale, 'link.title'), page);
  });

  app.post<{ Params: LinkParams }>(
    '/secure-otp/link/:token',
    {
      preHandler: app.csrfProtection,
      config: { rateLimit: { max: options.ipVerifyLimit, timeWindow: options.ipRequestWindowSeconds * 1000 } },
    },
    async (request, reply) => {
      const locale = localeOf(request);
      const outcome = await service.verifyLink({ token: request.params.token });
      if (outcome.ok) {
        setFlash(
          reply,
          { verified: { address: outcome.address, purpose: outcome.purpose, atMs: Date.now() } },
          options.secureCookies,
        );
        return reply.redirect('/secure-otp/success/', 303);
      }
      if (outcome.reason === 'paused') reply.header('retry-after', String(outcome.retryAfterSeconds));
      const page = linkPage({
        locale,
        csrfToken: reply.generateCsrf(),
        token: request.params.token,
        message: linkFailureMessage(locale, outcome),
      });
      return sendPage(reply, appName, translate(locale, 'link.title'), page, statusByReason[outcome.reason]);
    },
  );
}
