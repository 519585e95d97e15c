import type { FastifyReply } from 'fastify';
import type { SafeHtml } from './html.js';
import { localeOf, rememberLocaleChoice } from './request-locale.js';
import { layout } from './views/layout.js';

/**
 * Sends a whole page in the request's language (see localeOf). Pages carry CSRF tokens and personal
 * data, so no cache may keep them.
 */
export function sendPage(reply: FastifyReply, appName: string, title: string, body: SafeHtml, statusCode = 200): FastifyReply {
  rememberLocaleChoice(reply.request, reply);
  return reply
    .code(statusCode)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(layout({ title, appName, locale: localeOf(reply.request) }, body).value);
}
