import type { FastifyInstance } from 'fastify';
import type { DevMailbox } from '../mail/dev-mailbox.js';
import type { PagesContext } from './pages-context.js';
import { devMailboxRoutes } from './routes/dev-mailbox.route.js';
import { otpLinkRoutes } from './routes/otp-link.route.js';
import { otpRequestRoutes } from './routes/otp-request.route.js';
import { otpVerifyRoutes } from './routes/otp-verify.route.js';
import { pagesRoutes } from './routes/pages.route.js';
import { powStaticRoutes } from './routes/pow-static.route.js';
import { staticRoutes } from './routes/static.route.js';

export interface PagesPluginOptions {
  context: PagesContext;
  /** Shown at /dev/mailbox when set (never in production). */
  devMailbox?: DevMailbox | undefined;
}

/** The hosted pages: one scope, so what holds for every page form is said once. */
export async function pagesPlugin(app: FastifyInstance, options: PagesPluginOptions): Promise<void> {
  const { context } = options;
  // Forms arrive url-encoded. A JSON or text body here is not a browser's form: refuse it (415)
  // rather than let a script post the same fields another way.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  await app.register(staticRoutes);
  await app.register(powStaticRoutes);
  await app.register(pagesRoutes, context);
  await app.register(otpRequestRoutes, context);
  await app.register(otpVerifyRoutes, context);
  await app.register(otpLinkRoutes, context);
  if (options.devMailbox !== undefined) await app.register(devMailboxRoutes, { ...context, mailbox: options.devMailbox });
}
