import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { formatWait } from './outcome-messages.js';
import { sendPage } from './page-reply.js';
import { errorPage } from './views/result-pages.js';

interface ErrorView {
  status: number;
  title: string;
  message: string;
}

/** Fastify's own error codes, told in words a person understands. */
const viewsByCode: Record<string, Omit<ErrorView, 'status'>> = {
  FST_CSRF_MISSING_SECRET: { title: 'Form expired', message: 'This form has expired. Go back, reload the page and try again.' },
  FST_CSRF_INVALID_TOKEN: { title: 'Form expired', message: 'This form has expired. Go back, reload the page and try again.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { title: 'Too much data', message: 'The form sent far more data than it should. Go back and try again.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { title: 'Unsupported form', message: 'Send the form from its page: this kind of content is not accepted here.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { title: 'Empty request', message: 'The request had no content.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { title: 'Bad request', message: 'The request was cut short or malformed.' },
};

/**
 * The one place errors become responses. A 4xx explains itself; a 5xx says only that the fault is ours
 * and is logged with its details, which never reach the client.
 */
export function createErrorHandler(appName: string) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const view = viewFor(error, reply);
    if (view.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendPage(reply, appName, view.title, errorPage(view.title, view.message), view.status);
  };
}

function viewFor(error: FastifyError, reply: FastifyReply): ErrorView {
  const status = error.statusCode ?? 500;
  const known = error.code === undefined ? undefined : viewsByCode[error.code];
  if (known !== undefined) return { status, ...known };
  if (status === 429) {
    const retryAfter = Number(reply.getHeader('retry-after') ?? 60);
    return { status, title: 'Too many requests', message: `Too many requests from your network. Try again in ${formatWait(retryAfter)}.` };
  }
  if (status >= 400 && status < 500) {
    return { status, title: 'Bad request', message: 'The request could not be understood. Go back and try again.' };
  }
  if (status === 503) {
    return { status, title: 'Temporarily unavailable', message: 'The service is temporarily unavailable. Try again in a minute.' };
  }
  return { status: 500, title: 'Something went wrong', message: 'Something went wrong on our side. Try again in a minute.' };
}
