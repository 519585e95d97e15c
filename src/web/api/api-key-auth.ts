import type { FastifyInstance } from 'fastify';
import type { ApiKeyVerifier } from '../../core/api-key.js';
import { ApiProblemError } from './api-problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Label of the API key that authenticated this request (from API_KEY_HASHES). */
    apiKeyLabel?: string;
  }
}

/**
 * Refuses every request in this scope without a valid `Authorization: Bearer <key>`. It runs on
 * onRequest, before the body is even read, so an unauthenticated call can never queue an email:
 * the API is not an open mail relay.
 */
export function requireApiKey(app: FastifyInstance, verifier: ApiKeyVerifier): void {
  app.addHook('onRequest', async (request, reply) => {
    const label = verifier.verifyAuthorizationHeader(request.headers.authorization);
    if (label === null) throw new ApiProblemError('unauthorized', 'Send a valid API key as "Authorization: Bearer <key>".');
    request.apiKeyLabel = label;
    // The label, never the key, on every log line of the request.
    request.log = reply.log = request.log.child({ apiKey: label });
  });
}
