import type { z } from 'zod';
import { type Problem, problemSchema } from '../web/api/api-problem.js';
import { codeRequestedSchema, codeVerifiedSchema, deliveryStateSchema } from '../web/api/api-schemas.js';
import type { OtpClientError, OtpClientResult } from './client-error.js';

export interface OtpClientOptions {
  /** Where the otp-app service answers, e.g. `https://otp.example.com` (the API is under `/api/v1`). */
  baseUrl: string;
  /** A key made with `otp-app api-key`; sent as a bearer token. */
  apiKey: string;
  /** Any WHATWG fetch (Node ≥ 20's, an edge runtime's, a test's). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** How long one attempt may take before it is abandoned. @default 10000 */
  timeoutMs?: number;
  /** Further attempts after a 503 (the service's database restarting, say), each after its Retry-After. @default 2 */
  retriesOn503?: number;
  /** The longest Retry-After honoured; a longer one ends the retries. @default 10000 */
  maxRetryWaitMs?: number;
  /** How the client waits between attempts; tests pass a recorder. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

export interface SendCodeInput {
  email: string;
  /** One of the service's OTP_PURPOSES. @default its first */
  purpose?: string;
  /** What the code confirms ("Pay 120.00 EUR to ACME Ltd"); verify must present the same text. */
  context?: string;
}

export interface SendCodeOptions extends SendCodeInput {
  /** The language of the email (`en`, `de`). @default 'en' */
  locale?: string;
}

export interface VerifyCodeInput extends SendCodeInput {
  code: string;
}

export interface CodeSent {
  /** Ask codeStatus(id) where its email is. */
  id: string;
  expiresAt: Date;
  /** The earliest time another code can be sent to this address and purpose. */
  resendAfter: Date;
}

export type CodeStatus = z.infer<typeof deliveryStateSchema>;

export interface CodeVerified {
  /** The signed result: check it with verifyOtpToken before acting on it. */
  token: string;
  expiresAt: Date;
}

export interface OtpClient {
  sendCode(input: SendCodeOptions): Promise<OtpClientResult<CodeSent>>;
  codeStatus(id: string): Promise<OtpClientResult<CodeStatus>>;
  verifyCode(input: VerifyCodeInput): Promise<OtpClientResult<CodeVerified>>;
}

const defaults = { timeoutMs: 10_000, retriesOn503: 2, maxRetryWaitMs: 10_000 };

/**
 * A typed client for otp-app's JSON API. Fetch only (no `node:` imports), so it runs in Node ≥ 20 and in
 * edge and serverless runtimes. Answers are checked against the same zod schemas the server answers with.
 *
 * @example
 * const otp = createOtpClient({ baseUrl: 'https://otp.example.com', apiKey: process.env.OTP_API_KEY! });
 * const sent = await otp.sendCode({ email: 'anna@example.com', context: 'Pay 120.00 EUR to ACME Ltd' });
 * const verified = await otp.verifyCode({ email: 'anna@example.com', code: '123456', context: 'Pay 120.00 EUR to ACME Ltd' });
 * if (!verified.ok && verified.error.code === 'invalid_code') console.log(verified.error.attemptsLeft);
 */
export function createOtpClient(options: OtpClientOptions): OtpClient {
  const settings = { ...defaults, ...withoutUndefined(options), baseUrl: options.baseUrl, apiKey: options.apiKey };
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const apiBase = new URL('api/v1/', settings.baseUrl.endsWith('/') ? settings.baseUrl : `${settings.baseUrl}/`);

  async function call<T>(
    path: string,
    init: { method: 'GET' | 'POST'; body?: unknown },
    expected: { status: number; schema: z.ZodType<T> },
  ): Promise<OtpClientResult<T>> {
    for (let attempt = 0; ; attempt++) {
      const answer = await attemptOnce(path, init);
      if (!answer.ok) return answer;
      const { status, body } = answer.value;
      if (status === expected.status) {
        const parsed = expected.schema.safeParse(body);
        return parsed.success ? { ok: true, value: parsed.data } : invalidResponse(status);
      }
      const error = problemError(status, body);
      const waitMs = error.code === 'unavailable' ? (error.retryAfterSeconds ?? 1) * 1000 : undefined;
      if (waitMs === undefined || attempt >= settings.retriesOn503 || waitMs > settings.maxRetryWaitMs) {
        return { ok: false, error };
      }
      await sleep(waitMs);
    }
  }

  async function attemptOnce(
    path: string,
    init: { method: 'GET' | 'POST'; body?: unknown },
  ): Promise<OtpClientResult<{ status: number; body: unknown }>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
    try {
      const response = await fetchFn(new URL(path, apiBase), {
        method: init.method,
        headers: {
          authorization: `Bearer ${settings.apiKey}`,
          accept: 'application/json, application/problem+json',
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: controller.signal,
      });
      const text = await response.text();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        return invalidResponse(response.status);
      }
      return { ok: true, value: { status: response.status, body } };
    } catch (error) {
      if (controller.signal.aborted) {
        return { ok: false, error: { code: 'timeout', detail: `no answer within ${settings.timeoutMs} ms` } };
      }
      return { ok: false, error: { code: 'network_error', detail: error instanceof Error ? error.message : String(error) } };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async sendCode(input) {
      const result = await call('otp', { method: 'POST', body: input }, { status: 202, schema: codeRequestedSchema });
      if (!result.ok) return result;
      const { id, expiresAt, resendAfter } = result.value;
      return { ok: true, value: { id, expiresAt: new Date(expiresAt), resendAfter: new Date(resendAfter) } };
    },
    codeStatus(id) {
      return call(`otp/${encodeURIComponent(id)}`, { method: 'GET' }, { status: 200, schema: deliveryStateSchema });
    },
    async verifyCode(input) {
      const result = await call('otp/verify', { method: 'POST', body: input }, { status: 200, schema: codeVerifiedSchema });
      if (!result.ok) return result;
      return { ok: true, value: { token: result.value.token, expiresAt: new Date(result.value.expiresAt) } };
    },
  };
}

/** A problem document as the typed error; anything else as `invalid_response`. */
function problemError(status: number, body: unknown): OtpClientError {
  const parsed = problemSchema.safeParse(body);
  if (!parsed.success || parsed.data.status !== status) return invalidResponse(status).error;
  const problem: Problem = parsed.data;
  const { detail } = problem;
  switch (problem.code) {
    case 'invalid_code':
      return { code: 'invalid_code', status: 422, detail, attemptsLeft: problem.attemptsLeft ?? 0 };
    case 'rate_limited':
      return { code: 'rate_limited', status: 429, detail, retryAfterSeconds: problem.retryAfterSeconds ?? 60 };
    case 'unavailable':
      return {
        code: 'unavailable',
        status: 503,
        detail,
        ...(problem.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: problem.retryAfterSeconds }),
      };
    case 'invalid_request':
      return { code: 'invalid_request', status: 400, detail, errors: problem.errors ?? [] };
    default:
      return { code: problem.code, status, detail };
  }
}

function invalidResponse(status: number): { ok: false; error: OtpClientError } {
  return {
    ok: false,
    error: { code: 'invalid_response', status, detail: `HTTP ${status} with a body that is not the API's documented answer` },
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
