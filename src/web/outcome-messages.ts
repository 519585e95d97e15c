import type { DeliveryStatus } from '../core/code-delivery.js';
import type { RequestOutcome, VerifyOutcome } from '../core/otp-outcome.js';

/** The form field a message concerns, so the page can put it beside that field. */
export type FormField = 'email' | 'code' | 'form';

export interface FieldMessage {
  field: FormField;
  text: string;
}

type RequestFailure = Extract<RequestOutcome, { ok: false }>;
type VerifyFailure = Extract<VerifyOutcome, { ok: false }>;

export function formatWait(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} s`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export const invalidEmailMessage = 'Enter a valid email address, like name@example.com.';

export function codeSentNotice(address: string, ttlSeconds: number): string {
  return `Code sent to ${address} (valid ${formatWait(ttlSeconds)}).`;
}

/** What the verify page says about the email it is waiting for; nothing once it was handed over. */
export function deliveryStatusMessage(status: DeliveryStatus | null): { text: string; isProblem: boolean } | undefined {
  switch (status) {
    case 'queued':
    case 'sending':
      return { text: 'We are still sending the email. It usually arrives within a minute; reload this page to check.', isProblem: false };
    case 'failed':
      return { text: 'We could not deliver the email to this address. Check the address and ask for a new code.', isProblem: true };
    case 'expired':
      return { text: 'We could not send the email before the code expired. Ask for a new code.', isProblem: true };
    default:
      return undefined;
  }
}

export function requestFailureMessage(failure: RequestFailure): FieldMessage {
  switch (failure.reason) {
    case 'invalid_email':
      return { field: 'email', text: invalidEmailMessage };
    case 'invalid_purpose':
      return { field: 'form', text: 'This kind of code is not offered here.' };
    case 'cooldown':
      return { field: 'form', text: `A code was sent a moment ago. Wait ${formatWait(failure.retryAfterSeconds)} before asking for another.` };
    case 'send_limit':
      return { field: 'email', text: `Too many codes were sent to this address. Try again in ${formatWait(failure.retryAfterSeconds)}.` };
  }
}

export function verifyFailureMessage(failure: VerifyFailure, codeLength: number): FieldMessage {
  switch (failure.reason) {
    case 'invalid_email':
      return { field: 'email', text: invalidEmailMessage };
    case 'invalid_purpose':
      return { field: 'form', text: 'This kind of code is not offered here.' };
    case 'malformed_code':
      return { field: 'code', text: `Enter the ${codeLength}-digit code from the email.` };
    case 'invalid_code':
      return {
        field: 'code',
        text: `That code is not right. ${failure.attemptsLeft} ${failure.attemptsLeft === 1 ? 'attempt' : 'attempts'} left.`,
      };
    case 'expired':
      return { field: 'code', text: 'That code has expired. Ask for a new one.' };
    case 'locked':
      return { field: 'code', text: 'Too many wrong attempts: this code no longer works. Ask for a new one.' };
    case 'paused':
      return {
        field: 'form',
        text: `Too many wrong attempts for this address. Try again in ${formatWait(failure.retryAfterSeconds)}.`,
      };
  }
}
