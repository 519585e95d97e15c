import type { ScreenRefusal } from './request-screen.js';

/**
 * Every expected outcome of requesting or verifying a code. One closed list serves the pages, the API
 * and the logs, so a reason means the same thing everywhere.
 */
export const requestFailureReasons = [
  'invalid_email',
  'invalid_purpose',
  'cooldown',
  'send_limit',
  'undeliverable',
  'domain_limit',
  'disposable_address',
  'no_mail_domain',
  'unavailable',
] as const;
export type RequestFailureReason = (typeof requestFailureReasons)[number];

export type RequestOutcome =
  | { ok: true; codeId: string; address: string; expiresAt: Date; resendAfter: Date }
  | { ok: false; reason: 'invalid_email' | 'invalid_purpose' }
  | { ok: false; reason: 'cooldown' | 'send_limit'; retryAfterSeconds: number }
  /** The address is on the suppression list (it bounced, or its owner reported our mail as spam): nothing is sent. */
  | { ok: false; reason: 'undeliverable' }
  /** Refused by the request screen (request-screen.ts): a throw-away or mail-less domain, or its domain's limit. */
  | ScreenRefusal
  /** The deployment's daily mail cap (MAIL_DAILY_LIMIT) is reached: no code can be sent to anyone for now. */
  | { ok: false; reason: 'unavailable'; retryAfterSeconds: number };

export const verifyFailureReasons = [
  'invalid_email',
  'invalid_purpose',
  'malformed_code',
  'invalid_code',
  'expired',
  'locked',
  'paused',
] as const;
export type VerifyFailureReason = (typeof verifyFailureReasons)[number];

export type VerifyOutcome =
  | { ok: true; address: string; purpose: string }
  | { ok: false; reason: 'invalid_email' | 'invalid_purpose' | 'malformed_code' | 'expired' | 'locked' }
  /** Wrong code — and, indistinguishably, an address with no live code. */
  | { ok: false; reason: 'invalid_code'; attemptsLeft: number }
  /** Too many wrong attempts for this address in the current window. */
  | { ok: false; reason: 'paused'; retryAfterSeconds: number };
