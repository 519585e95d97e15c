import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { expect } from 'vitest';

/** One API answer, body parsed as JSON when it is JSON. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  contentType: string;
  body: any;
  /** Method and path template it answered, for checking against the OpenAPI document. */
  operation: { method: string; path: string };
}

export interface ApiCallOptions {
  method?: 'GET' | 'POST';
  /** Sent as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  /** The API key; `null` sends no Authorization header. */
  key?: string | null;
  authorization?: string;
  /** OpenAPI path template for response checks, when it differs from `path` (e.g. `/api/v1/otp/{id}`). */
  template?: string;
}

/** A tiny client for the JSON API over real HTTP. */
export function apiClient(baseUrl: string, defaultKey: string) {
  return async function call(path: string, options: ApiCallOptions = {}): Promise<ApiResponse> {
    const method = options.method ?? (options.body === undefined && options.rawBody === undefined ? 'GET' : 'POST');
    const headers = new Headers();
    const key = options.key === undefined ? defaultKey : options.key;
    if (options.authorization !== undefined) headers.set('authorization', options.authorization);
    else if (key !== null) headers.set('authorization', `Bearer ${key}`);
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers.set('content-type', options.contentType ?? 'application/json');
    const response = await fetch(new URL(path, baseUrl), { method, headers, body });
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      headers: response.headers,
      contentType,
      body: contentType.includes('json') && text !== '' ? JSON.parse(text) : text,
      operation: { method: method.toLowerCase(), path: options.template ?? path },
    };
  };
}

/** Checks a problem answer: RFC 9457 media type, the members every problem has, and its code. */
export function expectProblem(response: ApiResponse, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.code }, JSON.stringify(response.body)).toEqual({ status, code });
  expect(response.contentType).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    status,
    code,
    title: expect.any(String),
    detail: expect.any(String),
    type: expect.stringContaining(`#problem-${code}`),
  });
}

const require = createRequire(import.meta.url);
// Fastify already depends on ajv; its 2020-12 build matches the dialect of an OpenAPI 3.1 document.
const Ajv2020 = require('ajv/dist/2020.js') as typeof import('ajv').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

/**
 * Validates every response a test receives against the response schema the served OpenAPI document
 * declares for that operation, status and media type. A status the document does not declare fails.
 */
export class OpenApiResponseChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: any) {
    addFormats(this.ajv);
  }

  check(response: ApiResponse): void {
    const { method, path } = response.operation;
    const operation = this.document.paths?.[path]?.[method];
    expect(operation, `${method.toUpperCase()} ${path} is in the OpenAPI document`).toBeDefined();
    const declared = operation.responses?.[String(response.status)];
    expect(declared, `${method.toUpperCase()} ${path} declares status ${response.status}`).toBeDefined();
    const mediaType = response.contentType.split(';')[0]!.trim();
    const schema = declared.content?.[mediaType]?.schema;
    expect(schema, `${method.toUpperCase()} ${path} ${response.status} declares ${mediaType}`).toBeDefined();
    const cacheKey = `${method} ${path} ${response.status} ${mediaType}`;
    let validate = this.compiled.get(cacheKey);
    if (validate === undefined) {
      const { $schema: _dialect, ...rest } = schema;
      validate = this.ajv.compile(rest);
      this.compiled.set(cacheKey, validate);
    }
    expect(validate(response.body), `${cacheKey}: ${JSON.stringify(validate.errors)}`).toBe(true);
  }
}
