import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { TransportState } from '../mail/transport-circuit.js';
import type { MailTransportCheck } from './mail-transport-check.js';
import { bearerMatches, type MetricsAccess, metricsAccessFor } from './metrics-access.js';
import type { OtpMetrics } from './otp-metrics.js';
import { checkReadiness } from './readiness.js';

export interface OpsPluginOptions {
  runtime: {
    db: Kysely<any>;
    metrics: OtpMetrics;
    mailCheck: MailTransportCheck;
    /** Each SMTP transport's state, shown by /readyz. */
    transportStates?: () => TransportState[];
    config: { isProduction: boolean; metricsToken?: string | undefined };
  };
}

// Probes hit these every few seconds; a log line each would drown the request log.
const quiet = { logLevel: 'warn' } as const;

/**
 * `/healthz` (the process answers), `/readyz` (database reachable, schema current; mail shown) and
 * `/metrics` (Prometheus), plus the hook that counts every response by route and status.
 */
const opsRoutes: FastifyPluginAsync<OpsPluginOptions> = async (app: FastifyInstance, { runtime }) => {
  const { metrics } = runtime;
  const access: MetricsAccess = metricsAccessFor(runtime.config);

  app.addHook('onResponse', async (request, reply) => {
    metrics.recordHttpResponse({
      method: request.method,
      // The route pattern, never the raw URL: one label value per route, whatever people type.
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      durationSeconds: reply.elapsedTime / 1000,
    });
  });

  app.get('/healthz', quiet, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', quiet, async (_request, reply) => {
    const readiness = await checkReadiness(runtime.db, runtime.mailCheck, runtime.transportStates);
    reply.header('cache-control', 'no-store');
    return reply.code(readiness.ready ? 200 : 503).send({ status: readiness.ready ? 'ready' : 'unready', ...readiness.checks });
  });

  app.get('/metrics', quiet, async (request, reply) => {
    if (access.kind === 'closed') return reply.callNotFound();
    if (access.kind === 'bearer' && !bearerMatches(request.headers.authorization, access.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'unauthorized' });
    }
    reply.header('cache-control', 'no-store').type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};

// Not encapsulated (what fastify-plugin does): the response hook must see every route of the app.
(opsRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export { opsRoutes };
