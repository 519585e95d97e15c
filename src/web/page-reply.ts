import type { FastifyReply } from 'fastify';
import type { SafeHtml } from './html.js';
import type { PagePaths } from './page-paths.js';
import { localeOf, rememberLocaleChoice } from './request-locale.js';
import { layout } from './views/layout.js';

/** What every page's frame needs: the name in the header and title, and where the pages live. */
export interface PageFrame {
  appName: string;
  paths: PagePaths;
}

/**
 * Sends a whole page in the request's language (see localeOf). Pages carry CSRF tokens and personal
 * data, so no cache may keep them.
 */
export function sendPage(reply: FastifyReply, frame: PageFrame, title: string, body: SafeHtml, statusCode = 200): FastifyReply {
  rememberLocaleChoice(reply.request, reply, frame.paths.siteCookiePath);
  return reply
    .code(statusCode)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(layout({ title, appName: frame.appName, paths: frame.paths, locale: localeOf(reply.request) }, body).value);
}
