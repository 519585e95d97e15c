import type { OtpService } from '../core/otp-service.js';
import type { SuccessVisitStore } from '../core/success-visit-store.js';
import type { VerificationTokens } from '../core/verification-token.js';
import type { RequestChallenge } from '../runtime/request-challenge.js';
import type { PageFrame } from './page-reply.js';
import type { SubnetGuards } from './subnet-rate-limit.js';

/** Per-client limits of the page forms, counted by @fastify/rate-limit over one window. */
export interface ClientLimits {
  requestsPerClient: number;
  verifiesPerClient: number;
  windowMs: number;
}

/**
 * What every route of the hosted pages shares, built once by otpPlugin. Time comes from
 * `service.nowMs()`: the pages count and compare in the clock the core's limits use.
 */
export interface PagesContext extends PageFrame {
  service: OtpService;
  tokens: VerificationTokens;
  /** Where the success page records that it was shown, so a replayed "verified" flash is refused. */
  successVisits: SuccessVisitStore;
  /** Cookies only over HTTPS (production). */
  secureCookies: boolean;
  limits: ClientLimits;
  /** The same forms' limits per client network (/24, /64), as preHandlers. */
  subnetGuards: SubnetGuards;
  /** When set, the success page offers the verification token to this URL (a POST form back to the calling app). */
  returnUrl: string | undefined;
  /** The request form's proof-of-work challenge under pressure (docs/challenge.md); none: never challenged. */
  challenge?: RequestChallenge;
}
