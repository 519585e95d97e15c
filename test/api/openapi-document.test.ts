import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../support/form-client.js';
import { type ApiTestApp, startApiApp } from './api-app.js';

/** Every operation the API offers, with the statuses its document must declare. */
const operations = [
  { method: 'post', path: '/api/v1/otp', statuses: ['202', '400', '401', '413', '415', '422', '429', '503'], secured: true },
  {
    method: 'post',
    path: '/api/v1/otp/verify',
    statuses: ['200', '400', '401', '410', '413', '415', '422', '423', '429', '503'],
    secured: true,
  },
  { method: 'get', path: '/api/v1/otp/{id}', statuses: ['200', '400', '401', '404', '503'], secured: true },
  { method: 'get', path: '/.well-known/jwks.json', statuses: ['200'], secured: false },
];

describe('the OpenAPI 3.1 document', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiApp();
  });

  afterAll(async () => {
    await api.close();
  });

  it('is an OpenAPI 3.1 document with info, paths and the bearer scheme', () => {
    const document = api.openApi;
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(document.components.securitySchemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    // Only real operations: no documentation routes, no HEAD duplicates.
    const listed = Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.keys(byMethod as object).map((method) => `${method} ${path}`),
    );
    expect(listed.sort()).toEqual(operations.map((operation) => `${operation.method} ${operation.path}`).sort());
  });

  for (const operation of operations) {
    it(`declares ${operation.method.toUpperCase()} ${operation.path} with its statuses, schemas and security`, () => {
      const declared = api.openApi.paths[operation.path][operation.method];
      expect(Object.keys(declared.responses).sort()).toEqual([...operation.statuses].sort());
      expect(declared.summary).toEqual(expect.any(String));
      // Generated clients name their methods after it.
      expect(declared.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      if (operation.secured) expect(declared.security).toEqual([{ bearerAuth: [] }]);
      else expect(declared.security).toEqual([]);
      for (const [status, response] of Object.entries<any>(declared.responses)) {
        expect(response.description, `${status} has a description`).toEqual(expect.any(String));
        const mediaType = Number(status) >= 400 ? 'application/problem+json' : 'application/json';
        expect(Object.keys(response.content), `${status} media type`).toEqual([mediaType]);
        expect(response.content[mediaType].schema.type).toBe('object');
      }
      if (operation.method === 'post') {
        const body = declared.requestBody.content['application/json'].schema;
        expect(body.additionalProperties).toBe(false);
        expect(body.required).toContain('email');
      }
    });
  }

  it('lists the configured purposes and the context limit in the request schema', () => {
    const body = api.openApi.paths['/api/v1/otp'].post.requestBody.content['application/json'].schema;
    expect(body.properties.purpose.enum).toEqual(['sign-in', 'verify-email', 'confirm-action']);
    expect(body.properties.context.maxLength).toBe(200);
  });

  it('has a human-readable docs page under the same strict CSP as every page', async () => {
    const response = await fetch(new URL('/api/v1/docs', api.testApp.baseUrl));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const body = await response.text();
    // The shared layout may load our own script file; nothing inline.
    for (const tag of body.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\ssrc="\/[^"]+"/);
    const text = textOf(body);
    for (const operation of operations) expect(text).toContain(`${operation.method.toUpperCase()} ${operation.path}`);
    for (const code of [
      'invalid_request',
      'unauthorized',
      'invalid_code',
      'expired',
      'locked',
      'no_pending_code',
      'rate_limited',
      'unavailable',
    ]) {
      expect(body).toContain(`id="problem-${code}"`);
    }
  });

  it('serves the document and the docs without an API key', async () => {
    expect((await fetch(new URL('/api/v1/openapi.json', api.testApp.baseUrl))).status).toBe(200);
    expect((await fetch(new URL('/.well-known/jwks.json', api.testApp.baseUrl))).status).toBe(200);
  });
});
