import type { DeliveryStatus } from '../core/code-delivery.js';
import type { LinkVerifyOutcome } from '../core/link-token.js';
import type { RequestOutcome, VerifyOutcome } from '../core/otp-outcome.js';
import { formatLifetime, formatWait, type Locale, translate, translatePlural } from '../i18n/index.js';

/** The form field a message concerns, so the page can put it beside that field. */
export type FormField = 'email' | 'code' | 'form';

export interface FieldMessage {
  field: FormField;
  text: string;
}

type RequestFailure = Extract<RequestOutcome, { ok: false }>;
type VerifyFailure = Extract<VerifyOutcome, { ok: false }>;
type LinkFailure = Extract<LinkVerifyOutcome, { ok: false }>;

export function invalidEmailMessage(locale: Locale): string {
  return translate(locale, 'error.invalidEmail');
}

/** "Code sent to anna@example.com (valid 5 minutes)." — or, after a resend, that a new one went. */
export function codeSentNotice(locale: Locale, address: string, ttlSeconds: number, resend = false): string {
  return translate(locale, resend ? 'notice.codeResent' : 'notice.codeSent', {
    address,
    wait: formatLifetime(locale, ttlSeconds),
  });
}

/** What the verify page says about the email it is waiting for; nothing once it was handed over. */
export function deliveryStatusMessage(
  locale: Locale,
  status: DeliveryStatus | null,
): { text: string; isProblem: boolean } | undefined {
  switch (status) {
    case 'queued':
    case 'sending':
      return { text: translate(locale, 'delivery.sending'), isProblem: false };
    case 'failed':
      return { text: translate(locale, 'delivery.failed'), isProblem: true };
    case 'expired':
      return { text: translate(locale, 'delivery.expired'), isProblem: true };
    default:
      return undefined;
  }
}

export function requestFailureMessage(locale: Locale, failure: RequestFailure): FieldMessage {
  switch (failure.reason) {
    case 'invalid_email':
      return { field: 'email', text: invalidEmailMessage(locale) };
    case 'invalid_purpose':
      return { field: 'form', text: translate(locale, 'error.invalidPurpose') };
    case 'cooldown':
      return {
        field: 'form',
        text: translate(locale, 'error.cooldown', { wait: formatWait(locale, failure.retryAfterSeconds) }),
      };
    case 'send_limit':
      return {
        field: 'email',
        text: translate(locale, 'error.sendLimit', { wait: formatWait(locale, failure.retryAfterSeconds) }),
      };
    case 'undeliverable':
      // The words the verify page uses after a 550, since it is the same news: mail does not get there.
      return { field: 'email', text: translate(locale, 'error.undeliverable') };
    case 'domain_limit':
      return {
        field: 'email',
        text: translate(locale, 'error.domainLimit', {
          domain: failure.domain,
          wait: formatWait(locale, failure.retryAfterSeconds),
        }),
      };
    case 'disposable_address':
      return { field: 'email', text: translate(locale, 'error.disposableAddress', { domain: failure.domain }) };
    case 'no_mail_domain':
      return { field: 'email', text: translate(locale, 'error.noMailDomain', { domain: failure.domain }) };
    case 'unavailable':
      // No wait in the text: it can be hours (the Retry-After header has it exactly).
      return { field: 'form', text: translate(locale, 'error.mailUnavailable') };
  }
}

export function verifyFailureMessage(locale: Locale, failure: VerifyFailure, codeLength: number): FieldMessage {
  switch (failure.reason) {
    case 'invalid_email':
      return { field: 'email', text: invalidEmailMessage(locale) };
    case 'invalid_purpose':
      return { field: 'form', text: translate(locale, 'error.invalidPurpose') };
    case 'malformed_code':
      return { field: 'code', text: translate(locale, 'error.malformedCode', { length: codeLength }) };
    case 'invalid_code':
      return { field: 'code', text: translatePlural(locale, 'error.invalidCode', failure.attemptsLeft) };
    case 'expired':
      return { field: 'code', text: translate(locale, 'error.expired') };
    case 'locked':
      return { field: 'code', text: translate(locale, 'error.locked') };
    case 'paused':
      return { field: 'form', text: translate(locale, 'error.paused', { wait: formatWait(locale, failure.retryAfterSeconds) }) };
  }
}

/** A link has no field of its own: every refusal concerns the whole page. */
export function linkFailureMessage(locale: Locale, failure: LinkFailure): FieldMessage {
  switch (failure.reason) {
    case 'invalid_link':
      return { field: 'form', text: translate(locale, 'link.invalid') };
    case 'expired':
      return { field: 'form', text: translate(locale, 'link.expired') };
    case 'locked':
      return { field: 'form', text: translate(locale, 'link.locked') };
    case 'paused':
      return { field: 'form', text: translate(locale, 'error.paused', { wait: formatWait(locale, failure.retryAfterSeconds) }) };
  }
}
