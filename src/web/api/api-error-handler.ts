import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isStoreUnavailable } from '../../core/store-unavailable-error.js';
import { ApiProblemError, type FieldError, sendProblem } from './api-problem.js';

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/**
 * The API's one error handler: everything becomes a problem document. Bad input of any kind (broken
 * JSON, wrong content type, extra or oversized fields) is a typed 4xx; a 5xx says only that the
 * fault is ours and is logged with its details.
 */
export function createApiErrorHandler(docsPath: string) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ApiProblemError) return sendProblem(reply, docsPath, error.code, error.detail, error.extras);
    if (Array.isArray(error.validation) && error.validation.length > 0) {
      const errors = fieldErrors(error.validation as ValidationIssue[], error.validationContext);
      return sendProblem(reply, docsPath, 'invalid_request', 'Some fields are missing or not valid.', { errors });
    }
    if (isStoreUnavailable(error)) {
      request.log.warn({ err: error }, 'store unavailable');
      return sendProblem(reply, docsPath, 'unavailable', 'The service is temporarily unavailable. Try again shortly.', {
        retryAfterSeconds: 5,
      });
    }
    const status = error.statusCode ?? 500;
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, docsPath, 'payload_too_large', 'The request body is larger than this API accepts.');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, docsPath, 'unsupported_media_type', 'Send the body as application/json.');
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(reply, docsPath, 'invalid_request', 'The body is not valid JSON.', {
          errors: [{ field: 'body', message: 'not valid JSON' }],
        });
    }
    if (status === 429) {
      const retryAfterSeconds = Number(reply.getHeader('retry-after') ?? 60);
      return sendProblem(reply, docsPath, 'rate_limited', 'Too many requests from this client. Try again later.', {
        retryAfterSeconds,
      });
    }
    if (status >= 400 && status < 500)
      return sendProblem(reply, docsPath, 'invalid_request', 'The request could not be understood.');
    request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, docsPath, 'internal_error', 'Something went wrong on our side. Try again in a minute.');
  };
}

function fieldErrors(issues: ValidationIssue[], context: string | undefined): FieldError[] {
  return issues.flatMap((issue): FieldError[] => {
    const path = (issue.instancePath ?? '').split('/').filter(Boolean).join('.');
    const keys = issue.params?.keys;
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      return keys.map((key) => ({ field: [path, String(key)].filter(Boolean).join('.'), message: 'is not a known field' }));
    }
    const field = path === '' ? (context === 'params' ? 'params' : 'body') : path;
    return [{ field, message: issue.message ?? 'is not valid' }];
  });
}
