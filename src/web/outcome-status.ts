import type { LinkVerifyFailureReason } from '../core/link-token.js';
import type { RequestFailureReason, VerifyFailureReason } from '../core/otp-outcome.js';
import { type ApiProblemCode, apiProblems } from './api/api-problem.js';

export type FailureReason = RequestFailureReason | VerifyFailureReason | LinkVerifyFailureReason;

/**
 * The one mapping from the core's refusals to HTTP: each reason's API problem code, and through it
 * the status both the API and the pages answer with. A reason means the same everywhere, so one table.
 */
export const problemCodeByReason: Readonly<Record<FailureReason, ApiProblemCode>> = Object.freeze({
  invalid_email: 'invalid_request',
  invalid_purpose: 'invalid_request',
  malformed_code: 'invalid_request',
  invalid_code: 'invalid_code',
  expired: 'expired',
  // An unknown, used or replaced link is gone just as an expired one is (410); the API has no links.
  invalid_link: 'expired',
  locked: 'locked',
  cooldown: 'rate_limited',
  send_limit: 'rate_limited',
  // The deployment's daily mail cap: nobody can get a code for now (503 with Retry-After).
  unavailable: 'unavailable',
  paused: 'rate_limited',
  undeliverable: 'undeliverable',
  // A 429 like any other limit, so clients that already honour Retry-After need nothing new.
  domain_limit: 'rate_limited',
  disposable_address: 'disposable_address',
  no_mail_domain: 'no_mail_domain',
});

/** The HTTP status of a refusal: the status of its problem code, for pages and API alike. */
export function statusOfReason(reason: FailureReason): number {
  return apiProblems[problemCodeByReason[reason]].status;
}
