import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's security headers on every response of this scope. With these options they are the same on
 * every response (no per-request CSP nonce), so helmet runs once, at start-up, against a recording
 * response, and each request gets the recorded headers in one `reply.headers()` call. (@fastify/helmet
 * rebuilt helmet's middleware per request, ~3% of a page request's CPU; calling the built middleware
 * per request still cost ~2.5% in setHeader validation.)
 */
export function addSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const headers = helmetHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}

/** The headers helmet sets for `options`, recorded from one run of its middleware. */
export function helmetHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const recorded: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      recorded[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete recorded[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure !== undefined) throw failure;
  return Object.freeze(recorded);
}
