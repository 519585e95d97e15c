import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isStoreUnavailable } from '../core/store-unavailable-error.js';
import { formatWait, type Locale, type MessageKey, translate } from '../i18n/index.js';
import { type PageFrame, sendPage } from './page-reply.js';
import { localeOf } from './request-locale.js';
import { errorPage } from './views/result-pages.js';

/** An error page's status and the catalogue keys of its words. */
interface ErrorView {
  status: number;
  title: MessageKey;
  message: MessageKey;
  params?: Record<string, string>;
}

const temporarilyUnavailable = { title: 'errorPage.unavailableTitle', message: 'errorPage.unavailable' } as const;
const formExpired = { title: 'errorPage.formExpiredTitle', message: 'errorPage.formExpired' } as const;

/** Fastify's own error codes, told in words a person understands. */
const viewsByCode: Record<string, Pick<ErrorView, 'title' | 'message'>> = {
  FST_CSRF_MISSING_SECRET: formExpired,
  FST_CSRF_INVALID_TOKEN: formExpired,
  FST_ERR_CTP_BODY_TOO_LARGE: { title: 'errorPage.tooLargeTitle', message: 'errorPage.tooLarge' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { title: 'errorPage.mediaTypeTitle', message: 'errorPage.mediaType' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { title: 'errorPage.emptyTitle', message: 'errorPage.empty' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { title: 'errorPage.badRequestTitle', message: 'errorPage.contentLength' },
};

/**
 * The one place errors become responses. A 4xx explains itself; a 5xx says only that the fault is ours
 * and is logged with its details, which never reach the client. Pages speak the request's language.
 */
export function createErrorHandler(frame: PageFrame) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const locale = localeOf(request);
    const view = viewFor(error, reply, locale);
    if (view.status >= 500) request.log.error({ err: error }, 'request failed');
    const title = translate(locale, view.title);
    const message = translate(locale, view.message, view.params);
    return sendPage(reply, frame, title, errorPage(locale, frame.paths, title, message), view.status);
  };
}

/** The "no such page" answer, in the request's language. */
export function sendNotFoundPage(request: FastifyRequest, reply: FastifyReply, frame: PageFrame): FastifyReply {
  const locale = localeOf(request);
  const title = translate(locale, 'errorPage.notFoundTitle');
  return sendPage(reply, frame, title, errorPage(locale, frame.paths, title, translate(locale, 'errorPage.notFound')), 404);
}

/** How long a person (or a client honouring Retry-After) should wait while the database is away. */
const storeUnavailableRetryAfterSeconds = 5;

function viewFor(error: FastifyError, reply: FastifyReply, locale: Locale): ErrorView {
  // The database is down or restarting: not our bug and not theirs. Say so, and that it is worth retrying.
  if (isStoreUnavailable(error)) {
    reply.header('retry-after', String(storeUnavailableRetryAfterSeconds));
    return { status: 503, ...temporarilyUnavailable };
  }
  const status = error.statusCode ?? 500;
  const known = error.code === undefined ? undefined : viewsByCode[error.code];
  if (known !== undefined) return { status, ...known };
  if (status === 429) {
    const retryAfter = Number(reply.getHeader('retry-after') ?? 60);
    return {
      status,
      title: 'errorPage.tooManyTitle',
      message: 'errorPage.tooMany',
      params: { wait: formatWait(locale, retryAfter) },
    };
  }
  if (status >= 400 && status < 500) return { status, title: 'errorPage.badRequestTitle', message: 'errorPage.badRequest' };
  if (status === 503) return { status, ...temporarilyUnavailable };
  return { status: 500, title: 'errorPage.internalTitle', message: 'errorPage.internal' };
}
