import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RequestOutcome, VerifyOutcome } from '../../core/otp-outcome.js';
import type { OtpService } from '../../core/otp-service.js';
import type { VerificationTokens } from '../../core/verification-token.js';
import { problemCodeByReason } from '../outcome-status.js';
import { sendProblem } from './api-problem.js';
import { apiSchemas } from './api-schemas.js';

export interface OtpApiRouteOptions {
  service: OtpService;
  tokens: VerificationTokens;
  docsPath: string;
  callLimitPerKey: number;
  clientLimitWindowSeconds: number;
}

const security = [{ bearerAuth: [] }];

type RequestFailure = Extract<RequestOutcome, { ok: false }>;
type VerifyFailure = Extract<VerifyOutcome, { ok: false }>;

/**
 * POST /otp, POST /otp/verify, GET /otp/{id}. Outcomes of the core map one to one onto problem codes,
 * with one deliberate exception: a verify for an address with no live code answers `invalid_code`,
 * exactly like a wrong code, never `no_pending_code`. Back ends often pass our answer through to the
 * person typing; "no pending code" would tell anyone who has (not) asked for a code. `no_pending_code`
 * is only given for an unknown code id: ids are random and were only ever shown to the caller.
 *
 * A code belongs to the API key that asked for it: verifying it, or asking where its email is, with any
 * other key is answered as for no code at all, and its cooldown is that key's own.
 */
export const otpApiRoutes: FastifyPluginAsyncZod<OtpApiRouteOptions> = async (app, options) => {
  const { service, tokens, docsPath } = options;
  const s = apiSchemas(service.policy.purposes);
  // The caller is a back end: one IP (or one key) speaks for all its users. Count per API key, so a busy
  // integrator is not throttled as one person; the per-address limits still hold in the store.
  // A code belongs to the key that asked for it: another key's verify or status lookup finds nothing.
  const flowOf = (request: FastifyRequest) => `api-key:${request.apiKeyLabel ?? ''}`;
  const perKeyLimit = (action: 'request' | 'verify') => ({
    max: options.callLimitPerKey,
    timeWindow: options.clientLimitWindowSeconds * 1000,
    keyGenerator: (request: FastifyRequest) => `api-key-${action}:${request.apiKeyLabel ?? request.ip}`,
  });

  app.post(
    '/otp',
    {
      schema: {
        summary: 'Email a one-time code',
        operationId: 'sendCode',
        description:
          'Queues an email with a new code. Answers at once; the email is delivered in the background (see GET /api/v1/otp/{id}).',
        tags: ['codes'],
        security,
        body: s.requestCodeBody,
        response: {
          202: s.codeRequested,
          400: s.problem,
          401: s.problem,
          413: s.problem,
          415: s.problem,
          422: s.problem,
          429: s.problem,
          503: s.problem,
        },
      },
      config: { rateLimit: perKeyLimit('request') },
    },
    async (request, reply) => {
      const { email, purpose, context, locale } = request.body;
      const outcome = await service.request({
        address: email,
        purpose,
        context,
        locale,
        clientIp: request.ip,
        flow: flowOf(request),
      });
      if (!outcome.ok) return refused(reply, outcome);
      return reply.code(202).header('cache-control', 'no-store').send({
        id: outcome.codeId,
        expiresAt: outcome.expiresAt.toISOString(),
        resendAfter: outcome.resendAfter.toISOString(),
      });
    },
  );

  app.post(
    '/otp/verify',
    {
      schema: {
        summary: 'Verify a code and get a signed result',
        operationId: 'verifyCode',
        description:
          'On success returns a signed JWT. An address with no live code is answered exactly like a wrong code (422 invalid_code), so the API cannot be used to learn who asked for one.',
        tags: ['codes'],
        security,
        body: s.verifyCodeBody,
        response: {
          200: s.codeVerified,
          400: s.problem,
          401: s.problem,
          410: s.problem,
          413: s.problem,
          415: s.problem,
          422: s.problem,
          423: s.problem,
          429: s.problem,
          503: s.problem,
        },
      },
      config: { rateLimit: perKeyLimit('verify') },
    },
    async (request, reply) => {
      const { email, code, purpose, context } = request.body;
      await tokens.prepare();
      const outcome = await service.verify({ address: email, code, purpose, context, flow: flowOf(request) });
      if (!outcome.ok) return refused(reply, outcome);
      const issued = await tokens.issue({
        address: outcome.address,
        purpose: outcome.purpose,
        context,
        audience: `api-key:${request.apiKeyLabel ?? 'unknown'}`,
      });
      return reply
        .header('cache-control', 'no-store')
        .send({ verified: true, token: issued.token, expiresAt: issued.expiresAt.toISOString() });
    },
  );

  app.get(
    '/otp/:id',
    {
      schema: {
        summary: "Where a code's email is",
        operationId: 'codeStatus',
        description: 'Delivery status of the email for a code id. Never the code.',
        tags: ['codes'],
        security,
        params: s.codeIdParams,
        response: { 200: s.deliveryState, 400: s.problem, 401: s.problem, 404: s.problem, 503: s.problem },
      },
    },
    async (request, reply) => {
      const status = await service.deliveryStatus(request.params.id, flowOf(request));
      if (status === null)
        return sendProblem(reply, docsPath, 'no_pending_code', 'There is no code with this id (or it was cleaned up).');
      return reply.header('cache-control', 'no-store').send({ id: request.params.id, status });
    },
  );

  /**
   * A refusal as a problem document: its code (and so its status) from the one reason → problem table
   * (outcome-status.ts); here only the words and the extras each reason carries.
   */
  function refused(reply: FastifyReply, outcome: RequestFailure | VerifyFailure) {
    const code = problemCodeByReason[outcome.reason];
    switch (outcome.reason) {
      case 'invalid_email':
        return sendProblem(reply, docsPath, code, 'The email address is not valid.', {
          errors: [{ field: 'email', message: 'is not a valid email address' }],
        });
      case 'invalid_purpose':
        return sendProblem(reply, docsPath, code, 'The purpose is not offered here.', {
          errors: [{ field: 'purpose', message: 'is not one of the configured purposes' }],
        });
      case 'malformed_code':
        return sendProblem(reply, docsPath, code, `The code must be ${service.policy.codeLength} digits.`, {
          errors: [{ field: 'code', message: `must be ${service.policy.codeLength} digits` }],
        });
      case 'cooldown':
        return sendProblem(
          reply,
          docsPath,
          code,
          'A code was sent to this address a moment ago; wait before asking for another.',
          {
            retryAfterSeconds: outcome.retryAfterSeconds,
          },
        );
      case 'send_limit':
        return sendProblem(reply, docsPath, code, 'Too many codes were sent to this address; try again later.', {
          retryAfterSeconds: outcome.retryAfterSeconds,
        });
      case 'undeliverable':
        return sendProblem(reply, docsPath, code, 'We could not deliver email to this address; check it or use another one.', {
          errors: [{ field: 'email', message: 'does not receive our email (it bounced, or reported it as spam)' }],
        });
      case 'unavailable':
        return sendProblem(
          reply,
          docsPath,
          code,
          'We cannot send codes right now (the daily mail limit is reached); try again later.',
          { retryAfterSeconds: outcome.retryAfterSeconds },
        );
      case 'domain_limit':
        return sendProblem(
          reply,
          docsPath,
          code,
          `Too many codes were requested for addresses at ${outcome.domain} this hour; try again later.`,
          { retryAfterSeconds: outcome.retryAfterSeconds },
        );
      case 'disposable_address':
        return sendProblem(
          reply,
          docsPath,
          code,
          `${outcome.domain} hands out throw-away mailboxes; ask for a permanent address.`,
          {
            errors: [{ field: 'email', message: 'is at a throw-away (disposable) mailbox domain' }],
          },
        );
      case 'no_mail_domain':
        return sendProblem(reply, docsPath, code, `${outcome.domain} cannot receive email; check the address.`, {
          errors: [{ field: 'email', message: 'is at a domain that cannot receive email' }],
        });
      case 'invalid_code':
        return sendProblem(reply, docsPath, code, 'The code is not right.', { attemptsLeft: outcome.attemptsLeft });
      case 'expired':
        return sendProblem(reply, docsPath, code, 'The code has expired; ask for a new one.');
      case 'locked':
        return sendProblem(reply, docsPath, code, 'Too many wrong attempts: this code no longer works; ask for a new one.');
      case 'paused':
        return sendProblem(reply, docsPath, code, 'Too many wrong attempts for this address; try again later.', {
          retryAfterSeconds: outcome.retryAfterSeconds,
        });
    }
  }
};
