import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { jwksMaxAgeSeconds, type VerificationTokens } from '../../core/verification-token.js';
import { jwksSchema } from './api-schemas.js';

/** GET /.well-known/jwks.json: the public keys that verification tokens are signed with. Public, cacheable. */
export const jwksRoutes: FastifyPluginAsyncZod<{ tokens: VerificationTokens }> = async (app, { tokens }) => {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        summary: 'Public keys for verification tokens',
        operationId: 'getJwks',
        description:
          'Ed25519 keys (JWK, OKP). Includes the signing key, keys whose tokens may still be valid, and the next key before it starts signing.',
        tags: ['tokens'],
        // Public on purpose: anyone checking a token needs the keys, and they are public keys.
        security: [],
        response: { 200: jwksSchema },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', `public, max-age=${jwksMaxAgeSeconds}`);
      return tokens.jwks();
    },
  );
};
