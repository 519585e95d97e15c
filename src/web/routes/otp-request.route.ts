import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RequestOutcome } from '../../core/otp-outcome.js';
import type { OtpService } from '../../core/otp-service.js';
import { setFlash, takeFlash } from '../flash.js';
import { setPendingCode } from '../pending-code-cookie.js';
import { parseForm, requestForm } from '../form-input.js';
import { codeSentNotice, type FieldMessage, invalidEmailMessage, requestFailureMessage } from '../outcome-messages.js';
import { sendPage } from '../page-reply.js';
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
    const { email = '' } = takeFlash(request, reply);
    return sendPage(reply, appName, 'Request a code', requestPage({ csrfToken: reply.generateCsrf(), email }));
  });

  app.post(
    '/secure-otp/request/',
    {
      preHandler: app.csrfProtection,
      config: { rateLimit: { max: options.ipRequestLimit, timeWindow: options.ipRequestWindowSeconds * 1000 } },
    },
    async (request, reply) => {
      const form = parseForm(requestForm, request.body);
      if (!form.ok) {
        return renderFailure(reply, { field: 'email', text: invalidEmailMessage }, 400, '', false);
      }
      const resend = form.value.resend === '1';
      const outcome = await service.request({ address: form.value.email, clientIp: request.ip });
      if (outcome.ok) {
        const notice = codeSentNotice(outcome.address, service.policy.codeTtlSeconds);
        setFlash(reply, { notice: resend ? `New code sent. ${notice}` : notice, email: outcome.address }, options.secureCookies);
        setPendingCode(reply, outcome.codeId, service.policy.codeTtlSeconds, options.secureCookies);
        return reply.redirect('/secure-otp/verify/', 303);
      }
      if ('retryAfterSeconds' in outcome) reply.header('retry-after', String(outcome.retryAfterSeconds));
      return renderFailure(reply, requestFailureMessage(outcome), statusByReason[outcome.reason], form.value.email, resend);
    },
  );

  /** A failed resend stays on the verify page, where the person was; a failed first request on its own form. */
  function renderFailure(reply: FastifyReply, message: FieldMessage, status: number, email: string, resend: boolean) {
    const csrfToken = reply.generateCsrf();
    if (resend) {
      const page = verifyPage({ csrfToken, email, code: '', codeLength: service.policy.codeLength, message: { ...message, field: 'form' } });
      return sendPage(reply, appName, 'Verify a code', page, status);
    }
    return sendPage(reply, appName, 'Request a code', requestPage({ csrfToken, email, message }), status);
  }
}
