import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestApp, startApiApp } from './api-app.js';
import type { ApiCallOptions } from './api-client.js';
import { expectProblem } from './api-client.js';

const anna = 'anna@example.com';

interface BadInput {
  name: string;
  path?: string;
  call: ApiCallOptions;
  status: number;
  code: string;
  /** The field the problem should name, if any. */
  field?: string;
}

const request = '/api/v1/otp';
const verify = '/api/v1/otp/verify';

const badInputs: BadInput[] = [
  {
    name: 'broken JSON',
    call: { rawBody: '{"email": "anna@example.com",' },
    status: 400,
    code: 'invalid_request',
    field: 'body',
  },
  { name: 'an empty JSON body', call: { rawBody: '' }, status: 400, code: 'invalid_request' },
  { name: 'no body at all', call: { method: 'POST' }, status: 400, code: 'invalid_request' },
  { name: 'JSON null', call: { rawBody: 'null' }, status: 400, code: 'invalid_request' },
  { name: 'a JSON array', call: { body: [{ email: anna }] }, status: 400, code: 'invalid_request' },
  { name: 'a JSON string', call: { body: anna }, status: 400, code: 'invalid_request' },
  {
    name: 'a form post',
    call: { rawBody: `email=${anna}`, contentType: 'application/x-www-form-urlencoded' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'text/plain',
    call: { rawBody: JSON.stringify({ email: anna }), contentType: 'text/plain' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'multipart',
    call: { rawBody: '--x\r\n\r\n--x--', contentType: 'multipart/form-data; boundary=x' },
    status: 415,
    code: 'unsupported_media_type',
  },
  { name: 'an extra field', call: { body: { email: anna, admin: true } }, status: 400, code: 'invalid_request', field: 'admin' },
  {
    name: 'a __proto__ member',
    call: { rawBody: `{"email":"${anna}","__proto__":{"admin":true}}` },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a constructor.prototype member',
    call: { rawBody: `{"email":"${anna}","constructor":{"prototype":{"admin":true}}}` },
    status: 400,
    code: 'invalid_request',
  },
  { name: 'no email', call: { body: {} }, status: 400, code: 'invalid_request', field: 'email' },
  { name: 'a number for email', call: { body: { email: 42 } }, status: 400, code: 'invalid_request', field: 'email' },
  {
    name: 'two emails in an array',
    call: { body: { email: [anna, 'bob@example.com'] } },
    status: 400,
    code: 'invalid_request',
    field: 'email',
  },
  { name: 'not an email address', call: { body: { email: 'anna' } }, status: 400, code: 'invalid_request', field: 'email' },
  {
    name: 'a header injection in the email',
    call: { body: { email: 'anna@example.com\r\nBcc: all@example.com' } },
    status: 400,
    code: 'invalid_request',
    field: 'email',
  },
  {
    name: 'a 10 000-character email',
    call: { body: { email: `${'a'.repeat(10_000)}@example.com` } },
    status: 400,
    code: 'invalid_request',
    field: 'email',
  },
  {
    name: 'a body over the size limit',
    call: { body: { email: anna, context: 'x'.repeat(100_000) } },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'a 201-character context',
    call: { body: { email: anna, context: 'x'.repeat(201) } },
    status: 400,
    code: 'invalid_request',
    field: 'context',
  },
  {
    name: 'an empty context',
    call: { body: { email: anna, context: '' } },
    status: 400,
    code: 'invalid_request',
    field: 'context',
  },
  {
    name: 'a newline in the context',
    call: { body: { email: anna, context: 'Pay 1 EUR\nto ACME' } },
    status: 400,
    code: 'invalid_request',
    field: 'context',
  },
  {
    name: 'a bidi override in the context',
    call: { body: { email: anna, context: 'Pay \u202E0021 RUE' } },
    status: 400,
    code: 'invalid_request',
    field: 'context',
  },
  {
    name: 'an unknown purpose',
    call: { body: { email: anna, purpose: 'SIGN-IN' } },
    status: 400,
    code: 'invalid_request',
    field: 'purpose',
  },
  {
    name: 'a locale we do not speak',
    call: { body: { email: anna, locale: 'fr' } },
    status: 400,
    code: 'invalid_request',
    field: 'locale',
  },
  {
    name: 'a locale that is not text',
    call: { body: { email: anna, locale: 7 } },
    status: 400,
    code: 'invalid_request',
    field: 'locale',
  },
  {
    name: 'verify: a locale (only a request writes an email)',
    path: verify,
    call: { body: { email: anna, code: '123456', locale: 'de' } },
    status: 400,
    code: 'invalid_request',
  },
  { name: 'verify: no code', path: verify, call: { body: { email: anna } }, status: 400, code: 'invalid_request', field: 'code' },
  {
    name: 'verify: letters for a code',
    path: verify,
    call: { body: { email: anna, code: 'abcdef' } },
    status: 400,
    code: 'invalid_request',
    field: 'code',
  },
  {
    name: 'verify: five digits',
    path: verify,
    call: { body: { email: anna, code: '12345' } },
    status: 400,
    code: 'invalid_request',
    field: 'code',
  },
  {
    name: 'verify: a 10 000-digit code',
    path: verify,
    call: { body: { email: anna, code: '1'.repeat(10_000) } },
    status: 400,
    code: 'invalid_request',
    field: 'code',
  },
  {
    name: 'verify: a number for the code',
    path: verify,
    call: { body: { email: anna, code: 123456 } },
    status: 400,
    code: 'invalid_request',
    field: 'code',
  },
  {
    name: 'verify: an extra field',
    path: verify,
    call: { body: { email: anna, code: '123456', attempts: 0 } },
    status: 400,
    code: 'invalid_request',
    field: 'attempts',
  },
];

describe('bad input to the API: always a typed 4xx problem, never a 500, never a queued email', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiApp();
  });

  afterAll(async () => {
    await api.close();
  });

  for (const bad of badInputs) {
    it(`answers ${bad.name} with ${bad.status} ${bad.code}`, async () => {
      const path = bad.path ?? request;
      const response = await api.call(path, { method: 'POST', ...bad.call });
      expectProblem(response, bad.status, bad.code);
      if (bad.field !== undefined)
        expect(response.body.errors?.map((error: { field: string }) => error.field)).toContain(bad.field);
      expect(await api.testApp.runtime.db.selectFrom('outbox_messages').selectAll().execute()).toEqual([]);
    });
  }

  it('answers a malformed URL under /api/ with a 400 problem, not an HTML page', async () => {
    const response = await api.call('/api/v1/otp/%E0%A4%A', { unchecked: true });
    expectProblem(response, 400, 'invalid_request');
  });

  it('logged no server error for any of them', () => {
    const errors = api.testApp.logLines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
  });
});

describe('a database that cannot be reached', () => {
  it('answers 503 unavailable with Retry-After while the database is locked, then recovers', async () => {
    // The worker only wakes when a code is requested, so it does not queue up on the lock as well.
    const api = await startApiApp({ OUTBOX_POLL_INTERVAL_MS: '60000' });
    const { code } = await api.requestAndReadCode({ email: 'bob@example.com' });
    // Another connection holds the write lock longer than the app's busy timeout: the store gives up.
    const blocker = new Database(api.testApp.config.sqliteFile);
    try {
      blocker.exec('BEGIN EXCLUSIVE');
      // better-sqlite3 waits out its busy timeout synchronously, so one call at a time.
      const requested = await api.call(request, { body: { email: anna } });
      const verified = await api.call(verify, { body: { email: 'bob@example.com', code } });
      for (const response of [requested, verified]) {
        expectProblem(response, 503, 'unavailable');
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      }
      blocker.exec('ROLLBACK');
      expect((await api.call(request, { body: { email: anna } })).status).toBe(202);
      // The refused verify did not burn the code.
      expect((await api.call(verify, { body: { email: 'bob@example.com', code } })).status).toBe(200);
    } finally {
      blocker.close();
      await api.close();
    }
  }, 60_000);
});
