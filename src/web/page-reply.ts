import type { FastifyReply } from 'fastify';
import type { SafeHtml } from './html.js';
import { layout } from './views/layout.js';

/** Sends a whole page. Pages carry CSRF tokens and personal data, so no cache may keep them. */
export function sendPage(reply: FastifyReply, appName: string, title: string, body: SafeHtml, statusCode = 200): FastifyReply {
  return reply
    .code(statusCode)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(layout({ title, appName }, body).value);
}
