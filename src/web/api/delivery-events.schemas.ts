import { z } from 'zod';

/** Events per call: a provider's batch, bounded so one call holds the store for a bounded time. */
export const maxDeliveryEventsPerCall = 100;
/** Longest diagnostic kept: the remote server's reply, not the whole bounce. */
export const maxDiagnosticLength = 500;

// Control characters would let a diagnostic forge lines in logs or pages that show it.
const printable = /^[^\p{Cc}]*$/u;

const deliveryEvent = z
  .strictObject({
    messageId: z
      .uuid()
      .optional()
      .describe(
        'The code id (POST /api/v1/otp answered it as `id`); it is the id of its email too. Exactly one of messageId and verpToken.',
      ),
    verpToken: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe(
        'The token of the envelope sender the provider reports: the part between "+" and "@" of bounces+TOKEN@your-bounce-domain. Exactly one of messageId and verpToken.',
      ),
    type: z
      .enum(['bounce', 'complaint', 'delivered'])
      .describe(
        'bounce: delivery failed; complaint: the recipient marked it as spam (suppresses the address); delivered: accepted by the mailbox.',
      ),
    bounce: z
      .enum(['permanent', 'transient'])
      .optional()
      .describe(
        'With type bounce only, and required there: permanent (5.x.x; withdraws the code, suppresses the address) or transient (4.x.x; recorded).',
      ),
    diagnostic: z
      .string()
      .max(maxDiagnosticLength)
      .regex(printable, 'must not contain control characters')
      .optional()
      .describe("The provider's reason, e.g. the remote server's reply (550 5.1.1 User unknown)."),
  })
  .superRefine((event, context) => {
    if ((event.messageId === undefined) === (event.verpToken === undefined)) {
      context.addIssue({ code: 'custom', path: ['messageId'], message: 'give exactly one of messageId and verpToken' });
    }
    if (event.type === 'bounce' && event.bounce === undefined) {
      context.addIssue({ code: 'custom', path: ['bounce'], message: 'is required for type bounce (permanent or transient)' });
    }
    if (event.type !== 'bounce' && event.bounce !== undefined) {
      context.addIssue({ code: 'custom', path: ['bounce'], message: 'is only for type bounce' });
    }
  });

export const deliveryEventsBodySchema = z.strictObject({
  events: z.array(deliveryEvent).min(1).max(maxDeliveryEventsPerCall),
});
export type DeliveryEventsBody = z.infer<typeof deliveryEventsBodySchema>;

export const deliveryEventResults = ['applied', 'recorded', 'unknown_message', 'invalid_token'] as const;
export type DeliveryEventCallResult = (typeof deliveryEventResults)[number];

export const deliveryEventsResultSchema = z.object({
  results: z
    .array(
      z.object({
        index: z.number().int().min(0).describe('Position of the event in the request.'),
        result: z
          .enum(deliveryEventResults)
          .describe(
            'applied: it changed something (a code withdrawn, an address suppressed); recorded: noted on the message; unknown_message: no message with this id (never ours, or cleaned up); invalid_token: the verpToken is not one we issued.',
          ),
        messageId: z.string().optional().describe('The message the event was about, when known.'),
      }),
    )
    .describe('One result per event, in request order.'),
});
