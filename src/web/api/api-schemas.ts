import { z } from 'zod';
import { deliveryStatuses } from '../../core/code-delivery.js';
import { supportedLocales } from '../../i18n/locale.js';
import { problemSchema } from './api-problem.js';

/** Longest `context`: enough for "Pay 120.00 EUR to ACME Ltd, invoice 2026-0042", short enough for a subject line. */
export const maxContextLength = 200;

// Control characters and bidirectional overrides could make the context read differently in the
// email than what the calling app meant ("Pay 120 EUR" shown, something else bound); refuse them.
const contextPattern = /^[^\p{Cc}\u202A-\u202E\u2066-\u2069]+$/u;

const email = z
  .string()
  .min(1)
  .max(320)
  .describe('The address to send the code to; normalised (domain lower-cased, IDN to punycode).');
const context = z
  .string()
  .min(1)
  .max(maxContextLength)
  .regex(contextPattern, 'must not contain control characters or bidirectional overrides')
  .describe(
    'What the code confirms ("Pay 120.00 EUR to ACME Ltd"). Shown in the email and bound into the code: verify must present the same text.',
  );

const locale = z
  .enum(supportedLocales)
  .describe(`The language the email is written in (${supportedLocales.join(', ')}). Default: ${supportedLocales[0]}.`);

// The answers' schemas do not depend on the configured purposes: one copy, shared with otp-app/client.
export const codeRequestedSchema = z.object({
  id: z.string().describe('Ask GET /api/v1/otp/{id} where its email is.'),
  expiresAt: z.iso.datetime().describe('When the code stops working.'),
  resendAfter: z.iso.datetime().describe('The earliest time another code can be sent to this address and purpose.'),
});
export const codeVerifiedSchema = z.object({
  verified: z.literal(true),
  token: z
    .string()
    .describe('Ed25519-signed JWT (alg EdDSA): sub, purpose, ctx, iss, iat, exp, jti. Check it against /.well-known/jwks.json.'),
  expiresAt: z.iso.datetime().describe('When the token expires (its `exp`).'),
});
const codeIdParams = z.strictObject({ id: z.uuid().describe('The `id` returned by POST /api/v1/otp.') });
export const deliveryStateSchema = z.object({
  id: z.string(),
  status: z
    .enum(deliveryStatuses)
    .describe(
      'queued/sending: not handed over yet; sent: accepted by the mail server; failed: could not be delivered; expired: the code expired before it could be sent.',
    ),
});

/** Request schemas depend on the configured purposes, so they are made once per API instance. */
export function apiSchemas(purposes: readonly string[]) {
  const purpose = z
    .enum(purposes as [string, ...string[]])
    .describe(`What the code is for; a code for one purpose never verifies another. Default: ${purposes[0]}.`);

  const requestCodeBody = z.strictObject({
    email,
    purpose: purpose.optional(),
    context: context.optional(),
    locale: locale.optional(),
  });
  const verifyCodeBody = z.strictObject({
    email,
    code: z.string().min(1).max(32).describe('The code from the email; spaces and dashes are ignored.'),
    purpose: purpose.optional(),
    context: context.optional(),
  });
  return {
    requestCodeBody,
    verifyCodeBody,
    codeRequested: codeRequestedSchema,
    codeVerified: codeVerifiedSchema,
    codeIdParams,
    deliveryState: deliveryStateSchema,
    problem: problemSchema,
  };
}

export const jwkSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string(),
  kid: z.string(),
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
});
export const jwksSchema = z.object({ keys: z.array(jwkSchema) });
