import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Locale, translate } from '../../i18n/index.js';
import { takeFlash } from '../flash.js';
import { parseForm, verifyForm } from '../form-input.js';
import { deliveryStatusMessage, verifyFailureMessage } from '../outcome-messages.js';
import { statusOfReason } from '../outcome-status.js';
import { pageRoutes } from '../page-paths.js';
import { sendPage } from '../page-reply.js';
import type { PagesContext } from '../pages-context.js';
import { type PendingCode, pendingCodeOf, pendingCodeTiming, verifyFlowOf } from '../pending-code.js';
import { localeOf } from '../request-locale.js';
import { redirectToSuccess } from '../success-redirect.js';
import { verifyPage } from '../views/verify-page.js';

export async function otpVerifyRoutes(app: FastifyInstance, context: PagesContext): Promise<void> {
  const { service, paths, limits } = context;
  const codeLength = service.policy.codeLength;

  /** Where the pending code's email is, when it expires, and how long until another may be sent. */
  async function pendingCodeView(pending: PendingCode | undefined, locale: Locale) {
    const delivery =
      pending === undefined
        ? undefined
        : deliveryStatusMessage(locale, await service.deliveryStatus(pending.codeId, pending.flow));
    return { ...(delivery === undefined ? {} : { delivery }), ...pendingCodeTiming(pending, service.nowMs()) };
  }

  app.get(pageRoutes.verify, async (request, reply) => {
    const locale = localeOf(request);
    const { notice } = takeFlash(request, reply, paths.siteCookiePath);
    const pending = pendingCodeOf(request);
    const view = await pendingCodeView(pending, locale);
    const page = verifyPage({
      locale,
      paths,
      csrfToken: reply.generateCsrf(),
      // The address the code went to, on the page the request redirected to (its notice is there); a
      // later visit (a reload, "use the code instead" from the link page) asks for it again.
      email: notice !== undefined && view.expiresAt !== undefined ? (pending?.address ?? '') : '',
      code: '',
      codeLength,
      ...(notice === undefined ? {} : { notice }),
      ...view,
    });
    return sendPage(reply, context, translate(locale, 'verify.title'), page);
  });

  // Guesses spread over many addresses are bounded per address in the store; this bounds them per client.
  const rateLimit = { max: limits.verifiesPerClient, timeWindow: limits.windowMs };
  const preHandler = [app.csrfProtection, context.subnetGuards.verify];
  app.post(pageRoutes.verify, { preHandler, config: { rateLimit } }, async (request, reply) => {
    const locale = localeOf(request);
    const form = parseForm(verifyForm, request.body);
    if (!form.ok) {
      const reason = form.field === 'code' ? 'malformed_code' : 'invalid_email';
      const message = verifyFailureMessage(locale, { ok: false, reason }, codeLength);
      const email = typedEmail(request);
      const page = verifyPage({ locale, paths, csrfToken: reply.generateCsrf(), email, code: '', codeLength, message });
      return sendPage(reply, context, translate(locale, 'verify.title'), page, statusOfReason(reason));
    }
    const { email, code } = form.value;
    // Compared only with the codes this browser asked for: a stranger's guesses elsewhere never meet them.
    const outcome = await service.verify({ address: email, code, flow: verifyFlowOf(request) });
    if (outcome.ok) {
      return redirectToSuccess(reply, context, outcome);
    }
    if (outcome.reason === 'paused') reply.header('retry-after', String(outcome.retryAfterSeconds));
    // What the person typed comes back, except a code that is now worthless.
    const keepCode = outcome.reason === 'malformed_code' ? code : '';
    const page = verifyPage({
      locale,
      paths,
      csrfToken: reply.generateCsrf(),
      email,
      code: keepCode,
      codeLength,
      ...(await pendingCodeView(pendingCodeOf(request), locale)),
      message: verifyFailureMessage(locale, outcome, codeLength),
    });
    return sendPage(reply, context, translate(locale, 'verify.title'), page, statusOfReason(outcome.reason));
  });
}

/** The address as typed, when the form itself was refused: shown again if it is a plausible length. */
function typedEmail(request: FastifyRequest): string {
  const typed = (request.body as { email?: unknown } | undefined)?.email;
  return typeof typed === 'string' && typed.length <= 254 ? typed : '';
}
