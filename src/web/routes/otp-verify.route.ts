import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { VerifyOutcome } from '../../core/otp-outcome.js';
import type { OtpService } from '../../core/otp-service.js';
import { setFlash, takeFlash } from '../flash.js';
import { parseForm, verifyForm } from '../form-input.js';
import { deliveryStatusMessage, verifyFailureMessage } from '../outcome-messages.js';
import { pendingCodeId } from '../pending-code-cookie.js';
import { sendPage } from '../page-reply.js';
import { verifyPage } from '../views/verify-page.js';

export interface OtpVerifyRouteOptions {
  service: OtpService;
  appName: string;
  secureCookies: boolean;
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

  async function deliveryOf(request: FastifyRequest) {
    const codeId = pendingCodeId(request);
    return codeId === undefined ? undefined : deliveryStatusMessage(await service.deliveryStatus(codeId));
  }

  app.get('/secure-otp/verify/', async (request, reply) => {
    const { email = '', notice } = takeFlash(request, reply);
    const delivery = await deliveryOf(request);
    const page = verifyPage({ csrfToken: reply.generateCsrf(), email, code: '', codeLength, notice, delivery });
    return sendPage(reply, appName, 'Verify a code', page);
  });

  app.post('/secure-otp/verify/', { preHandler: app.csrfProtection }, async (request, reply) => {
    const form = parseForm(verifyForm, request.body);
    if (!form.ok) {
      const reason = form.field === 'code' ? 'malformed_code' : 'invalid_email';
      const message = verifyFailureMessage({ ok: false, reason }, codeLength);
      const typedEmail = (request.body as { email?: unknown } | undefined)?.email;
      const email = typeof typedEmail === 'string' && typedEmail.length <= 254 ? typedEmail : '';
      const page = verifyPage({ csrfToken: reply.generateCsrf(), email, code: '', codeLength, message });
      return sendPage(reply, appName, 'Verify a code', page, 400);
    }
    const { email, code } = form.value;
    const outcome = await service.verify({ address: email, code });
    if (outcome.ok) {
      setFlash(reply, { verified: { address: outcome.address, purpose: outcome.purpose } }, options.secureCookies);
      return reply.redirect('/secure-otp/success/', 303);
    }
    if (outcome.reason === 'paused') reply.header('retry-after', String(outcome.retryAfterSeconds));
    // What the person typed comes back, except a code that is now worthless.
    const keepCode = outcome.reason === 'malformed_code' ? code : '';
    const page = verifyPage({
      csrfToken: reply.generateCsrf(),
      email,
      code: keepCode,
      codeLength,
      delivery: await deliveryOf(request),
      message: verifyFailureMessage(outcome, codeLength),
    });
    return sendPage(reply, appName, 'Verify a code', page, statusByReason[outcome.reason]);
  });
}
