import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { type ApiKeyHash, ApiKeyVerifier } from '../../core/api-key.js';
import type { DeliveryEvents } from '../../core/delivery-events.js';
import type { OtpService } from '../../core/otp-service.js';
import type { VerificationTokens } from '../../core/verification-token.js';
import type { VerpTokens } from '../../core/verp-token.js';
import type { PagePaths } from '../page-paths.js';
import { sendPage } from '../page-reply.js';
import { apiDocsPage } from './api-docs-page.js';
import { createApiErrorHandler } from './api-error-handler.js';
import { requireApiKey } from './api-key-auth.js';
import { sendProblem } from './api-problem.js';
import { deliveryEventsRoutes } from './delivery-events.route.js';
import { jwksRoutes } from './jwks.route.js';
import { finishOpenApiDocument, type OpenApiDocument } from './openapi-document.js';
import { otpApiRoutes } from './otp-api.route.js';

export interface ApiPluginOptions {
  service: OtpService;
  tokens: VerificationTokens;
  apiKeyHashes: readonly ApiKeyHash[];
  appName: string;
  /** Where the pages' stylesheet is, for the docs page. */
  paths: PagePaths;
  callLimitPerKey: number;
  clientLimitWindowSeconds: number;
  /** Largest JSON body accepted; larger ones get 413 payload_too_large. */
  bodyLimitBytes: number;
  /** POST /api/v1/delivery-events: where events go, the VERP tokens they may name, and the keys that may call it. */
  deliveryEvents?: { events: DeliveryEvents; verpTokens: VerpTokens; allowedKeyLabels: readonly string[] };
}

/**
 * The JSON API: /api/v1/* (key-protected), its OpenAPI document and docs page, and the JWKS.
 * Its own scope: JSON bodies only, zod schemas for validation and serialisation, problem+json errors.
 */
export async function apiPlugin(app: FastifyInstance, options: ApiPluginOptions): Promise<void> {
  const prefix = app.prefix;
  const docsPath = `${prefix}/api/v1/docs`;
  const openApiPath = `${prefix}/api/v1/openapi.json`;
  const verifier = new ApiKeyVerifier(options.apiKeyHashes);
  if (verifier.isEmpty)
    app.log.warn({ event: 'api.no_keys' }, 'the JSON API is enabled but API_KEY_HASHES is empty: every call is refused');

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: a form post or text body is refused with 415 before any handler runs.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: options.bodyLimitBytes },
    app.getDefaultJsonParser('error', 'error'),
  );
  app.setErrorHandler(createApiErrorHandler(docsPath));
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `${options.appName} API`,
        version: '1.0.0',
        description: 'Email one-time codes and verify them; a successful verify returns an Ed25519-signed JWT.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      // Relative: the API answers on whatever origin serves this document.
      servers: [{ url: '/', description: 'This otp-app service' }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key made with `otp-app api-key`.' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  const api = app.withTypeProvider<ZodTypeProvider>();
  await api.register(jwksRoutes, { tokens: options.tokens });
  await api.register(
    async (v1) => {
      v1.setNotFoundHandler((_request, reply) => sendProblem(reply, docsPath, 'not_found', 'There is no such API endpoint.'));

      let document: OpenApiDocument | undefined;
      const openApiDocument = () => (document ??= finishOpenApiDocument(app.swagger() as unknown as OpenApiDocument));
      v1.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return openApiDocument();
      });
      v1.get('/docs', { schema: { hide: true } }, async (_request, reply) =>
        sendPage(reply, options, 'API reference', apiDocsPage(openApiDocument(), openApiPath)),
      );

      await v1.register(async (protectedScope) => {
        requireApiKey(protectedScope, verifier);
        await protectedScope.register(otpApiRoutes, {
          service: options.service,
          tokens: options.tokens,
          docsPath,
          callLimitPerKey: options.callLimitPerKey,
          clientLimitWindowSeconds: options.clientLimitWindowSeconds,
        });
        if (options.deliveryEvents !== undefined) {
          await protectedScope.register(deliveryEventsRoutes, {
            deliveryEvents: options.deliveryEvents.events,
            verpTokens: options.deliveryEvents.verpTokens,
            allowedKeyLabels: options.deliveryEvents.allowedKeyLabels,
            docsPath,
            callLimitPerKey: options.callLimitPerKey,
            clientLimitWindowSeconds: options.clientLimitWindowSeconds,
          });
        }
      });
    },
    { prefix: '/api/v1' },
  );
}

/** Only the JWKS, for when the pages hand out tokens (RETURN_URL) but the API itself is off. */
export async function jwksOnlyPlugin(app: FastifyInstance, options: { tokens: VerificationTokens }): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.withTypeProvider<ZodTypeProvider>().register(jwksRoutes, { tokens: options.tokens });
}
