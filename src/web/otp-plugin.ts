import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { OtpRuntime } from '../runtime/otp-runtime.js';
import { apiPlugin, jwksOnlyPlugin } from './api/api.plugin.js';
import { createErrorHandler, sendNotFoundPage } from './error-handler.js';
import { pagePaths, pagesPrefixOf } from './page-paths.js';
import { pagesPlugin } from './pages.plugin.js';
import type { PagesContext } from './pages-context.js';
import { rememberReturnState } from './return-state-cookie.js';
import { addSecurityHeaders } from './security-headers.js';
import { createSubnetGuards } from './subnet-rate-limit.js';

export interface OtpPluginOptions {
  /** What `createOtpRuntime()` returned: the service, its store, mail and token signer. */
  otp: OtpRuntime;
  /**
   * Mount the hosted pages (`/`, `/secure-otp/…`, see page-paths.ts) under the plugin's prefix
   * (`{ prefix: '/otp' }` → `/otp/secure-otp/…`). The email's one-time link points at `publicUrl`,
   * which must then name the same prefix (`https://shop.example.com/otp`); registering refuses a
   * mismatch rather than mail links that lead nowhere.
   * @default true
   */
  pages?: boolean;
  /**
   * Mount the JSON API (`/api/v1/…`, its OpenAPI document and docs page) and `/.well-known/jwks.json`,
   * under the plugin's prefix.
   * @default otp.config.api.enabled (true when API_KEY_HASHES / `api.keyHashes` are set)
   */
  api?: boolean;
  /**
   * Options for @fastify/rate-limit, which counts the per-IP request limits; pass a Redis store when
   * several processes serve the same users. Routes set their own limits.
   * @default in-process memory
   */
  rateLimit?: RateLimitPluginOptions;
  /**
   * Runs after the security plugins and before any route, in the plugin's scope: for hooks that must
   * see every route (metrics) or routes that should get the same headers (health checks).
   */
  beforeRoutes?: (app: FastifyInstance) => Promise<void>;
}

/**
 * otp-app as a Fastify plugin: the hosted pages and/or the JSON API, with their security headers,
 * CSRF, per-IP limits and error handling. `register` it to embed otp-app in your own app (it stays
 * encapsulated under its prefix); the otp-app server itself is built from this same plugin.
 *
 * @example
 * const otp = await createOtpRuntime({ secretKey, smtpUrl: 'smtp://…', publicUrl: 'https://shop.example.com/otp' });
 * await app.register(otpPlugin, { prefix: '/otp', otp });
 * // GET /otp/secure-otp/request/ … and, with api: true, POST /otp/api/v1/otp, GET /otp/.well-known/jwks.json
 */
export async function otpPlugin(app: FastifyInstance, options: OtpPluginOptions): Promise<void> {
  const { config, service } = options.otp;
  const pages = options.pages ?? true;
  const api = options.api ?? config.api.enabled;
  // `{ prefix: '/otp/' }` leaves `app.prefix` with its slash; the paths add their own.
  const prefix = app.prefix.replace(/\/+$/, '');
  if (pages) assertEmailLinksReachPages(config.publicUrl, prefix);
  const secureCookies = config.isProduction;
  const returnOrigin = config.api.returnUrl === undefined ? [] : [new URL(config.api.returnUrl).origin];
  // What the browser sees (links, redirects, cookie paths) carries the prefix; routes are registered
  // relative to this scope (pageRoutes), and Fastify adds the prefix to them.
  const paths = pagePaths(prefix);
  const context: PagesContext = {
    service,
    tokens: options.otp.tokens,
    successVisits: options.otp.successVisits,
    appName: config.appName,
    paths,
    secureCookies,
    limits: {
      requestsPerClient: config.ipRequestLimit,
      verifiesPerClient: config.ipVerifyLimit,
      windowMs: config.clientLimitWindowSeconds * 1000,
    },
    subnetGuards: createSubnetGuards(
      { ...config.abuse.subnet, windowMs: config.clientLimitWindowSeconds * 1000 },
      { appName: config.appName, paths },
      options.otp.defenceEvents,
    ),
    returnUrl: config.api.returnUrl,
    challenge: options.otp.challenge,
  };

  addSecurityHeaders(app, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        // No inline script anywhere: pages work without JavaScript, and an injected <script> cannot run.
        scriptSrc: ["'self'"],
        // The proof-of-work page solves in Web Workers loaded from our own origin (static/altcha/), never blob: or data:.
        workerSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        // The success page may post the verification token back to the calling app (RETURN_URL), and only there.
        formAction: ["'self'", ...returnOrigin],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        ...(config.isProduction ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only where there is TLS in front of us; on plain-HTTP development it would only get in the way.
    strictTransportSecurity: config.isProduction,
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(fastifyRateLimit, { ...options.rateLimit, global: false });

  if (pages) {
    if (config.api.returnUrl !== undefined) {
      // Any page the calling app sends people to may carry its `state` (see return-state-cookie.ts).
      app.addHook('onRequest', async (request, reply) => {
        if (request.method === 'GET' && request.url.startsWith(paths.start))
          rememberReturnState(request, reply, { secure: secureCookies, path: paths.start });
      });
    }
    await app.register(fastifyCookie, { secret: options.otp.cookieKeys.all().map((key) => key.key.toString('base64')) });
    await app.register(fastifyCsrf, {
      cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', secure: secureCookies, path: paths.siteCookiePath },
      getToken: (request) => (request.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
    });
    await app.register(fastifyFormbody);
  }
  await options.beforeRoutes?.(app);

  if (pages) {
    app.setErrorHandler(createErrorHandler(context));
    app.setNotFoundHandler((request, reply) => sendNotFoundPage(request, reply, context));
    await app.register(pagesPlugin, {
      context,
      devMailbox: config.isProduction ? undefined : options.otp.devMailbox,
    });
  }

  if (api) {
    await app.register(apiPlugin, {
      service,
      tokens: options.otp.tokens,
      apiKeyHashes: config.api.keyHashes,
      appName: config.appName,
      paths,
      callLimitPerKey: config.api.callLimitPerKey,
      clientLimitWindowSeconds: config.clientLimitWindowSeconds,
      bodyLimitBytes: config.bodyLimitBytes,
      deliveryEvents: {
        events: options.otp.deliveryEvents,
        verpTokens: options.otp.verpTokens,
        allowedKeyLabels: config.bounces.webhookApiKeyLabels,
      },
    });
  } else if (pages && config.api.returnUrl !== undefined) {
    // The success page hands out tokens: their keys must be published even with the API off.
    await app.register(jwksOnlyPlugin, { tokens: options.otp.tokens });
  }
}

/**
 * The email's one-time link is built from `publicUrl` by whichever process delivers the mail, which
 * need not be this one: the pages must be where that URL says, or every link would lead nowhere.
 */
function assertEmailLinksReachPages(publicUrl: string | undefined, prefix: string): void {
  if (publicUrl === undefined || pagesPrefixOf(publicUrl) === prefix) return;
  const expected = `${new URL(publicUrl).origin}${prefix}`;
  throw new Error(
    `otpPlugin: the pages are mounted at "${prefix}/" but publicUrl (PUBLIC_URL) is ${publicUrl}, so the one-time links in emails would miss them; set it to ${expected}`,
  );
}
