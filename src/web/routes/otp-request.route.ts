import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestOutcome } from '../../core/otp-outcome.js';
import type { OtpService } from '../../core/otp-service.js';
import { translate } from '../../i18n/index.js';
import { codeTimingOf, codeTimingView, setCodeTiming } from '../code-timing-cookie.js';
import { setFlash, takeFlash } from '../flash.js';
import { parseForm, requestForm } from '../form-input.js';
import { codeSentNotice, type FieldMessage, invalidEmailMessage, requestFailureMessage } from '../outcome-messages.js';
import { sendPage } from '../page-reply.js';
import { setPendingCode } from '../pending-code-cookie.js';
import { localeOf } from '../request-locale.js';
import { requestPage } from '../views/request-page.js';
import { verifyPage } from '../views/verify-page.js';

export interface OtpRequestRouteOptions {
  service: OtpService;
  appName: string;
  secureCookies: boolean;
  ipRequestLimit: number;
  ipRequestWindowSeconds: number;
}

type RequestFailure = Extract<RequestOutcome, { ok: false }>;

const statusByReason: Record<RequestFailure['reason'], number> = {
  invalid_email: 400,
  invalid_purpose: 400,
  cooldown: 429,
  send_limit: 429,
};

export async function otpRequestRoutes(app: FastifyInstance, options: OtpRequestRouteOptions): Promise<void> {
  const { service, appName } = options;
  // Forms arrive url-encoded. A JSON or text body here is not a browser's form: refuse it (415)
  // rather than let a script post the same fields another way.
  app.removeContentTypeParser(['application/json', 'text/plain']);

  app.get('/secure-otp/request/', async (request, reply) => {
    const locale = localeOf(request);
    const { email = '' } = takeFlash(request, reply);
    return sendPage(
      reply,
      appName,
      translate(locale, 'request.title'),
      requestPage({ locale, csrfToken: reply.generateCsrf(), email }),
    );
  });

  app.post(
    '/secure-otp/request/',
    {
      preHandler: app.csrfProtection,
      config: { rateLimit: { max: options.ipRequestLimit, timeWindow: options.ipRequestWindowSeconds * 1000 } },
    },
    async (request, reply) => {
      const locale = localeOf(request);
      const form = parseForm(requestForm, request.body);
      if (!form.ok) {
        return renderFailure(request, reply, { field: 'email', text: invalidEmailMessage(locale) }, 400, '', false);
      }
      const resend = form.value.resend === '1';
      // The email goes out in the language of the page the person asked from.
      const outcome = await service.request({ address: form.value.email, clientIp: request.ip, locale, withLink: true });
      if (outcome.ok) {
        const ttlSeconds = service.policy.codeTtlSeconds;
        setFlash(
          reply,
          { notice: codeSentNotice(locale, outcome.address, ttlSeconds, resend), email: outcome.address },
          options.secureCookies,
        );
        setPendingCode(reply, outcome.codeId, ttlSeconds, options.secureCookies);
        const timing = { expiresAtMs: outcome.expiresAt.getTime(), resendAfterMs: outcome.resendAfter.getTime() };
        setCodeTiming(reply, timing, ttlSeconds, options.secureCookies);
        return reply.redirect('/secure-otp/verify/', 303);
      }
      if ('retryAfterSeconds' in outcome) reply.header('retry-after', String(outcome.retryAfterSeconds));
      const message = requestFailureMessage(locale, outcome);
      const wait = outcome.reason === 'cooldown' ? outcome.retryAfterSeconds : undefined;
      return renderFailure(request, reply, message, statusByReason[outcome.reason], form.value.email, resend, wait);
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
      const timing = codeTimingView(codeTimingOf(request), service.nowMs());
      const page = verifyPage({
        locale,
        csrfToken,
        email,
        code: '',
        codeLength: service.policy.codeLength,
        message: { ...message, field: 'form' },
        expiresAt: timing.expiresAt,
        resendWaitSeconds: resendWaitSeconds ?? timing.resendWaitSeconds,
      });
      return sendPage(reply, appName, translate(locale, 'verify.title'), page, status);
    }
    return sendPage(
      reply,
      appName,
      translate(locale, 'request.title'),
      requestPage({ locale, csrfToken, email, message }),
      status,
    );
  }
}
