import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { VerifyOutcome } from '../../core/otp-outcome.js';
import type { OtpService } from '../../core/otp-service.js';
import { type Locale, translate } from '../../i18n/index.js';
import { codeTimingOf, codeTimingView } from '../code-timing-cookie.js';
import { setFlash, takeFlash } from '../flash.js';
import { parseForm, verifyForm } from '../form-input.js';
import { deliveryStatusMessage, verifyFailureMessage } from '../outcome-messages.js';
import { sendPage } from '../page-reply.js';
import { pendingCodeId } from '../pending-code-cookie.js';
import { localeOf } from '../request-locale.js';
import { verifyPage } from '../views/verify-page.js';

export interface OtpVerifyRouteOptions {
  service: OtpService;
  appName: string;
  secureCookies: boolean;
  ipVerifyLimit: number;
  ipRequestWindowSeconds: number;
}

type VerifyFailure = Extract<VerifyOutcome, { ok: false }>;

const statusByReason: Record<VerifyFailure['reason'], number> = {
  invalid_email: 400,
  invalid_purpose: 400,
  malformed_code: 400,
  invalid_code: 422,
  expired: 410,
  locked: 423,
  paused: 429,
};

export async function otpVerifyRoutes(app: FastifyInstance, options: OtpVerifyRouteOptions): Promise<void> {
  const { service, appName } = options;
  // Forms arrive url-encoded. A JSON or text body here is not a browser's form: refuse it (415)
  // rather than let a script post the same fields another way.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const codeLength = service.policy.codeLength;

  /** Where the pending code's email is, when it expires, and how long until another may be sent. */
  async function pendingCodeView(request: FastifyRequest, locale: Locale) {
    const codeId = pendingCodeId(request);
    const delivery = codeId === undefined ? undefined : deliveryStatusMessage(locale, await service.deliveryStatus(codeId));
    return { ...(delivery === undefined ? {} : { delivery }), ...codeTimingView(codeTimingOf(request), service.nowMs()) };
  }

  app.get('/secure-otp/verify/', async (request, reply) => {
    const locale = localeOf(request);
    const { email = '', notice } = takeFlash(request, reply);
    const page = verifyPage({
      locale,
      csrfToken: reply.generateCsrf(),
      email,
      code: '',
      codeLength,
      ...(notice === undefined ? {} : { notice }),
      ...(await pendingCodeView(request, locale)),
    });
    return sendPage(reply, appName, translate(locale, 'verify.title'), page);
  });

  // Guesses spread over many addresses are bounded per address in the store; this bounds them per client.
  const rateLimit = { max: options.ipVerifyLimit, timeWindow: options.ipRequestWindowSeconds * 1000 };
  app.post('/secure-otp/verify/', { preHandler: app.csrfProtection, config: { rateLimit } }, async (request, reply) => {
    const locale = localeOf(request);
    const form = parseForm(verifyForm, request.body);
    if (!form.ok) {
      const reason = form.field === 'code' ? 'malformed_code' : 'invalid_email';
      const message = verifyFailureMessage(locale, { ok: false, reason }, codeLength);
      const typedEmail = (request.body as { email?: unknown } | undefined)?.email;
      const email = typeof typedEmail === 'string' && typedEmail.length <= 254 ? typedEmail : '';
      const page = verifyPage({ locale, csrfToken: reply.generateCsrf(), email, code: '', codeLength, message });
      return sendPage(reply, appName, translate(locale, 'verify.title'), page, 400);
    }
    const { email, code } = form.value;
    const outcome = await service.verify({ address: email, code });
    if (outcome.ok) {
      setFlash(
        reply,
        { verified: { address: outcome.address, purpose: outcome.purpose, atMs: Date.now() } },
        options.secureCookies,
      );
      return reply.redirect('/secure-otp/success/', 303);
    }
    if (outcome.reason === 'paused') reply.header('retry-after', String(outcome.retryAfterSeconds));
    // What the person typed comes back, except a code that is now worthless.
    const keepCode = outcome.reason === 'malformed_code' ? code : '';
    const page = verifyPage({
      locale,
      csrfToken: reply.generateCsrf(),
      email,
      code: keepCode,
      codeLength,
      ...(await pendingCodeView(request, locale)),
      message: verifyFailureMessage(locale, outcome, codeLength),
    });
    return sendPage(reply, appName, translate(locale, 'verify.title'), page, statusByReason[outcome.reason]);
  });
}
