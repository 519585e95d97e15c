import type { ApiProblemCode, FieldError } from '../web/api/api-problem.js';

/**
 * Why a call did not succeed: one of the API's problem codes (its `code` member), or what went wrong on
 * the way there. Switch on `code`; the members each code carries are typed.
 */
export type OtpClientError =
  | { code: 'invalid_code'; status: 422; detail: string; attemptsLeft: number }
  | { code: 'rate_limited'; status: 429; detail: string; retryAfterSeconds: number }
  | { code: 'unavailable'; status: 503; detail: string; retryAfterSeconds?: number }
  | { code: 'invalid_request'; status: 400; detail: string; errors: FieldError[] }
  | {
      code: Exclude<ApiProblemCode, 'invalid_code' | 'rate_limited' | 'unavailable' | 'invalid_request'>;
      status: number;
      detail: string;
    }
  /** No answer within `timeoutMs`. */
  | { code: 'timeout'; detail: string }
  /** The request never got an answer (connection refused, DNS, TLS). */
  | { code: 'network_error'; detail: string }
  /** An answer that is not what the API documents (a proxy's error page, a different service). */
  | { code: 'invalid_response'; status: number; detail: string };

export type OtpClientErrorCode = OtpClientError['code'];

/** What every client method returns: the answer, or why there is none. Never throws for an HTTP answer. */
export type OtpClientResult<T> = { ok: true; value: T } | { ok: false; error: OtpClientError };
