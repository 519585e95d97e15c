import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { opsRoutes } from '../ops/ops.plugin.js';
import type { OtpRuntime } from '../runtime/otp-runtime.js';
import { createApiErrorHandler } from './api/api-error-handler.js';
import { createClientRateLimit } from './client-rate-limit.js';
import { createErrorHandler } from './error-handler.js';
import { otpPlugin } from './otp-plugin.js';
import { pagePaths } from './page-paths.js';

/**
 * Builds the web app around a runtime without binding a port, so tests can inject requests or listen
 * on an ephemeral one.
 */
export async function buildApp(runtime: OtpRuntime, logger: Logger): Promise<FastifyInstance> {
  const { config } = runtime;
  const handleError = createErrorHandler({ appName: config.appName, paths: pagePaths() });
  const handleApiError = createApiErrorHandler('/api/v1/docs');
  const app = Fastify({
    // Errors Fastify raises before routing (a malformed URL) get the same pages as every other error,
    // or, under /api/, the same problem documents.
    frameworkErrors: (error, request, reply) =>
      request.url.startsWith('/api/') ? handleApiError(error, request, reply) : handleError(error, request, reply),
    loggerInstance: logger as FastifyBaseLogger,
    // A hop count means: trust that many proxies in front of us (what proxy-addr does with a number).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : (config.trustProxy as boolean | string[]),
    bodyLimit: config.bodyLimitBytes,
    // A client that never finishes its request, or sits on an idle socket, must not hold it for ever.
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.idleTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    maxRequestsPerSocket: config.http.maxRequestsPerSocket,
    http: {
      requestTimeout: config.http.requestTimeoutMs,
      headersTimeout: config.http.headersTimeoutMs,
      // Node checks the request and header deadlines on this interval (30 s by default, longer than
      // the deadlines themselves): check often enough that they mean what they say.
      connectionsCheckingInterval: connectionsCheckingIntervalMs(config.http.headersTimeoutMs),
    },
    routerOptions: { ignoreTrailingSlash: true },
    // One line per request (below), not Fastify's two ("incoming request" and "request completed").
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Connections beyond the cap are closed as they are accepted (Node's own check, before any parsing).
  app.server.maxConnections = config.http.maxConnections;
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ req: request, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime) }, 'request');
  });

  // Per-IP limits: in Redis when REDIS_URL is set, so every process behind the load balancer shares them.
  const clientRateLimit = createClientRateLimit({ redisUrl: config.redisUrl, redisKeyPrefix: config.redisKeyPrefix }, logger);
  app.addHook('onClose', () => clientRateLimit.close());
  // Listen only once the shared counters are reachable (or known to be down): see ClientRateLimit.ready.
  app.addHook('onReady', () => clientRateLimit.ready());
  // The server is the library's plugin applied to the root instance (embedders `register` it, which
  // encapsulates it under their prefix): one code path, and server-wide hooks see every route.
  await otpPlugin(app, {
    otp: runtime,
    rateLimit: clientRateLimit.pluginOptions,
    beforeRoutes: async (scope) => {
      await scope.register(opsRoutes, { runtime });
    },
  });
  return app;
}

function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

/** A quarter of the shortest deadline, between 50 ms and 5 s: a deadline is overrun by at most that. */
function connectionsCheckingIntervalMs(shortestDeadlineMs: number): number {
  return Math.min(5000, Math.max(50, Math.floor(shortestDeadlineMs / 4)));
}
