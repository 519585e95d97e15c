import type { FastifyInstance } from 'fastify';
import type { DevMailbox } from '../../mail/dev-mailbox.js';
import { html } from '../html.js';
import { notLoopbackReason } from '../loopback-visitor.js';
import { pageRoutes } from '../page-paths.js';
import { type PageFrame, sendPage } from '../page-reply.js';
import { localeOf } from '../request-locale.js';
import { pageMessages } from '../views/translate-html.js';

/** Development only: the mail that would have been sent, so the whole flow works with no credentials. */
export async function devMailboxRoutes(app: FastifyInstance, options: PageFrame & { mailbox: DevMailbox }): Promise<void> {
  app.get(pageRoutes.devMailbox, async (request, reply) => {
    // It shows every live code: even in development, only to a person at this machine. HOST=0.0.0.0
    // must not publish it, nor a local proxy or tunnel (nginx, ngrok), through which everyone is loopback.
    const refused = notLoopbackReason(request);
    if (refused !== undefined) {
      request.log.warn({ reason: refused }, 'dev mailbox refused: only a direct visitor from this machine may read it');
      return reply.callNotFound();
    }
    const { t } = pageMessages(localeOf(request));
    const messages = options.mailbox.list();
    const body = html`<h1>${t('devMailbox.title')}</h1>
<p>${t('devMailbox.intro')}</p>
<div class="mailbox">
${messages.length === 0 ? html`<p>${t('devMailbox.empty')}</p>` : ''}
${messages.map(
  (message) => html`<article${languageOf(message.html)}>
<h2>${message.subject}</h2>
<p>${t('devMailbox.to', { address: message.to })} · <time datetime="${message.receivedAt.toISOString()}">${message.receivedAt.toISOString()}</time></p>
<pre>${withLinks(message.text)}</pre>
</article>`,
)}
</div>`;
    return sendPage(reply, options, t('devMailbox.title'), body);
  });
}

/** The email's own language, so a screen reader reads a German email in German on an English page. */
function languageOf(emailHtml: string) {
  const lang = /<html lang="([a-z]{2})"/.exec(emailHtml)?.[1];
  return lang === undefined ? '' : html` lang="${lang}"`;
}

/** The email's text with its URLs clickable, so a newcomer can follow the one-time link from here. */
function withLinks(text: string) {
  // split() with a capture group: odd indexes are the URLs.
  return text
    .split(/(https?:\/\/[^\s<>"]+)/)
    .map((part, index) => (index % 2 === 1 ? html`<a href="${part}">${part}</a>` : part));
}
