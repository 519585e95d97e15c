import type { FastifyInstance } from 'fastify';
import type { DevMailbox } from '../../mail/dev-mailbox.js';
import { html } from '../html.js';
import { sendPage } from '../page-reply.js';

/** Development only: the mail that would have been sent, so the whole flow works with no credentials. */
export async function devMailboxRoutes(app: FastifyInstance, options: { mailbox: DevMailbox; appName: string }): Promise<void> {
  app.get('/dev/mailbox', async (_request, reply) => {
    const messages = options.mailbox.list();
    const body = html`<h1>Dev mailbox</h1>
<p>No mail transport is configured, so emails are kept here instead of being sent. This page does not exist in production.</p>
<div class="mailbox">
${messages.length === 0 ? html`<p>No messages yet.</p>` : ''}
${messages.map(
  (message) => html`<article>
<h2>${message.subject}</h2>
<p>To <strong>${message.to}</strong> · <time datetime="${message.receivedAt.toISOString()}">${message.receivedAt.toISOString()}</time></p>
<pre>${message.text}</pre>
</article>`,
)}
</div>`;
    return sendPage(reply, options.appName, 'Dev mailbox', body);
  });
}
