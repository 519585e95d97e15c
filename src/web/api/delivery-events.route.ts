import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { DeliveryEvent, DeliveryEvents } from '../../core/delivery-events.js';
import type { VerpTokens } from '../../core/verp-token.js';
import { problemSchema, sendProblem } from './api-problem.js';
import {
  type DeliveryEventCallResult,
  type DeliveryEventsBody,
  deliveryEventsBodySchema,
  deliveryEventsResultSchema,
} from './delivery-events.schemas.js';

export interface DeliveryEventsRouteOptions {
  deliveryEvents: DeliveryEvents;
  verpTokens: VerpTokens;
  /** Labels of the API keys that may call this (DELIVERY_EVENTS_API_KEYS); any other key gets 403. */
  allowedKeyLabels: readonly string[];
  docsPath: string;
  callLimitPerKey: number;
  clientLimitWindowSeconds: number;
}

type EventInput = DeliveryEventsBody['events'][number];

/**
 * POST /delivery-events: what a mail provider's webhook says about our emails (bounces, complaints,
 * deliveries), for deployments that send through a provider instead of receiving DSNs themselves.
 * Only the keys named in DELIVERY_EVENTS_API_KEYS may call it: an event withdraws a code and suppresses
 * an address, which a back end that only requests codes has no business doing. Each event gets its own
 * result; a forged token or an unknown id is a result, not an error.
 */
export const deliveryEventsRoutes: FastifyPluginAsyncZod<DeliveryEventsRouteOptions> = async (app, options) => {
  const allowed = new Set(options.allowedKeyLabels);
  app.post(
    '/delivery-events',
    {
      schema: {
        summary: 'Report bounces, complaints and deliveries (provider webhook)',
        operationId: 'reportDeliveryEvents',
        description:
          'For mail providers that report by webhook. Only API keys listed in DELIVERY_EVENTS_API_KEYS may call it. Each event names its email by messageId (the code id) or by the VERP token of its envelope sender; a permanent bounce withdraws the code and, like a complaint, suppresses the address.',
        tags: ['delivery'],
        security: [{ bearerAuth: [] }],
        body: deliveryEventsBodySchema,
        response: {
          200: deliveryEventsResultSchema,
          400: problemSchema,
          401: problemSchema,
          403: problemSchema,
          413: problemSchema,
          415: problemSchema,
          429: problemSchema,
          503: problemSchema,
        },
      },
      config: {
        rateLimit: {
          max: options.callLimitPerKey,
          timeWindow: options.clientLimitWindowSeconds * 1000,
          keyGenerator: (request: FastifyRequest) => `api-key-delivery-events:${request.apiKeyLabel ?? request.ip}`,
        },
      },
    },
    async (request, reply) => {
      if (!allowed.has(request.apiKeyLabel ?? '')) {
        request.log.warn(
          { event: 'delivery_events.forbidden' },
          'an API key not in DELIVERY_EVENTS_API_KEYS posted delivery events',
        );
        return sendProblem(
          reply,
          options.docsPath,
          'forbidden',
          'This API key may not report delivery events (see DELIVERY_EVENTS_API_KEYS).',
        );
      }
      const results: { index: number; result: DeliveryEventCallResult; messageId?: string }[] = [];
      // One after another, in order: a provider's "delivered" then "complaint" for one message mean that order.
      for (const [index, input] of request.body.events.entries()) {
        const messageId = messageIdOf(input, options.verpTokens);
        if (messageId === null) {
          request.log.warn(
            { event: 'delivery_events.invalid_token', index },
            'a delivery event named a VERP token we did not issue',
          );
          results.push({ index, result: 'invalid_token' });
          continue;
        }
        const result = await options.deliveryEvents.recordDeliveryEvent(deliveryEventOf(input, messageId));
        request.log.info({ event: 'delivery_events.received', index, messageId, type: input.type, bounce: input.bounce, result });
        results.push({ index, result, messageId });
      }
      return reply.header('cache-control', 'no-store').send({ results });
    },
  );
};

function messageIdOf(input: EventInput, verpTokens: VerpTokens): string | null {
  if (input.messageId !== undefined) return input.messageId.toLowerCase();
  return verpTokens.open(input.verpToken ?? '')?.messageId ?? null;
}

function deliveryEventOf(input: EventInput, messageId: string): DeliveryEvent {
  const diagnostic = input.diagnostic ?? 'reported by the delivery-events webhook';
  switch (input.type) {
    case 'delivered':
      return { kind: 'delivered', messageId };
    case 'complaint':
      return { kind: 'complaint', messageId, ...(input.diagnostic === undefined ? {} : { diagnostic: input.diagnostic }) };
    case 'bounce':
      return input.bounce === 'permanent'
        ? { kind: 'bounce', permanent: true, messageId, diagnostic }
        : { kind: 'bounce', permanent: false, messageId, diagnostic };
  }
}
