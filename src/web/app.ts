import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { OtpRuntime } from '../otp-runtime.js';
import { createErrorHandler } from './error-handler.js';
import { sendPage } from './page-reply.js';
import { devMailboxRoutes } from './routes/dev-mailbox.route.js';
import { otpRequestRoutes } from './routes/otp-request.route.js';
import { otpVerifyRoutes } from './routes/otp-verify.route.js';
import { pagesRoutes } from './routes/pages.route.js';
import { staticRoutes } from './routes/static.route.js';
import { errorPage } from './views/result-pages.js';

/**
 * Builds the web app around a runtime without binding a port, so tests can inject requests or listen
 * on an ephemeral one.
 */
export async function buildApp(runtime: OtpRuntime, logger: Logger): Promise<FastifyInstance> {
  const { config, service } = runtime;
  const secureCookies = config.isProduction;
  const handleError = createErrorHandler(config.appName);
  const app = Fastify({
    // Errors Fastify raises before routing (a malformed URL) get the same pages as every other error.
    frameworkErrors: (error, request, reply) => handleError(error, request, reply),
    loggerInstance: logger as FastifyBaseLogger,
    // A hop count means: trust that many proxies in front of us (what proxy-addr does with a number).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : (config.trustProxy as boolean | string[]),
    bodyLimit: config.bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true },
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        // No inline script anywhere: pages work without JavaScript, and an injected <script> cannot run.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        ...(config.isProduction ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only where there is TLS in front of us; on plain-HTTP development it would only get in the way.
    strictTransportSecurity: config.isProduction,
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(fastifyCookie, { secret: runtime.cookieKeys.all().map((key) => key.key.toString('base64')) });
  await app.register(fastifyCsrf, {
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/' },
    getToken: (request) => (request.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
  });
  await app.register(fastifyFormbody);
  await app.register(fastifyRateLimit, { global: false });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((_request, reply) =>
    sendPage(reply, config.appName, 'Not found', errorPage('Page not found', 'There is no page at this address.'), 404),
  );

  await app.register(staticRoutes);
  await app.register(pagesRoutes, { appName: config.appName });
  await app.register(otpRequestRoutes, {
    service,
    appName: config.appName,
    secureCookies,
    ipRequestLimit: config.ipRequestLimit,
    ipRequestWindowSeconds: config.ipRequestWindowSeconds,
  });
  await app.register(otpVerifyRoutes, { service, appName: config.appName, secureCookies });
  if (runtime.devMailbox !== undefined && !config.isProduction) {
    await app.register(devMailboxRoutes, { mailbox: runtime.devMailbox, appName: config.appName });
  }
  return app;
}

function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}
