import type { FastifyReply } from 'fastify';
import { z } from 'zod';

/**
 * Every error the API can answer with, one closed list. Each is an RFC 9457 problem document
 * (`application/problem+json`) whose `code` member is one of these, so clients switch on `code`.
 */
export const apiProblems = {
  invalid_request: { status: 400, title: 'The request is not valid' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  forbidden: { status: 403, title: 'This API key may not do this' },
  not_found: { status: 404, title: 'No such endpoint' },
  // Only where it cannot tell anyone who asked for a code: see otp-api.route.ts.
  no_pending_code: { status: 404, title: 'No such code' },
  expired: { status: 410, title: 'The code has expired' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The request body must be application/json' },
  invalid_code: { status: 422, title: 'The code is not right' },
  // A request for an address on the suppression list (it bounced, or complained): nothing was sent.
  undeliverable: { status: 422, title: 'Email cannot be delivered to this address' },
  // The address is well-formed, but we will not mail it: ask the person for another.
  disposable_address: { status: 422, title: 'The address is a throw-away mailbox' },
  no_mail_domain: { status: 422, title: "The address's domain cannot receive email" },
  locked: { status: 423, title: 'Too many wrong attempts: the code no longer works' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Something went wrong on our side' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ApiProblemCode = keyof typeof apiProblems;
export const apiProblemCodes = Object.keys(apiProblems) as [ApiProblemCode, ...ApiProblemCode[]];

export interface FieldError {
  /** The body member (or path parameter) at fault, `body` for the body as a whole. */
  field: string;
  message: string;
}

export interface ApiProblemExtras {
  /** 422 invalid_code: wrong attempts this code (and its address) can still take. */
  attemptsLeft?: number;
  /** 429 and 503: also sent as the Retry-After header. */
  retryAfterSeconds?: number;
  /** 400 invalid_request: what is wrong, field by field. */
  errors?: FieldError[];
}

export const problemSchema = z
  .object({
    type: z.string().describe('A URI reference to the explanation of this problem code.'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(apiProblemCodes).describe('Switch on this.'),
    attemptsLeft: z.number().int().min(0).optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .describe('RFC 9457 problem details with a `code` member.');

export type Problem = z.infer<typeof problemSchema>;

/** Thrown from hooks and handlers when an answer is a problem; the API error handler sends it. */
export class ApiProblemError extends Error {
  constructor(
    readonly code: ApiProblemCode,
    readonly detail: string,
    readonly extras: ApiProblemExtras = {},
  ) {
    super(detail);
  }
}

/** Sends one problem document. `docsPath` anchors `type` on the API docs page, where each code is explained. */
export function sendProblem(
  reply: FastifyReply,
  docsPath: string,
  code: ApiProblemCode,
  detail: string,
  extras: ApiProblemExtras = {},
) {
  const { status, title } = apiProblems[code];
  if (extras.retryAfterSeconds !== undefined) reply.header('retry-after', String(extras.retryAfterSeconds));
  if (code === 'unauthorized') reply.header('www-authenticate', 'Bearer');
  const problem: Problem = { type: `${docsPath}#problem-${code}`, title, status, detail, code, ...extras };
  return reply.code(status).header('cache-control', 'no-store').type('application/problem+json').send(problem);
}
