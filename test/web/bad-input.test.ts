import { describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { freshAppPerTest } from '../support/app-per-test.js';
import { csrfTokenIn, FormClient, type Page, textOf } from '../support/form-client.js';

const paths = pagePaths();

/**
 * The bad-input corpus: every malformed, hostile or misdirected request gets a 4xx page that tells a
 * person what went wrong, never a 500, never an email, never an error-level log line.
 */

const requestPath = paths.request;
const verifyPath = paths.verify;
const ada = 'ada@example.com';
/** A good request sent after each bad one, so its mail marks when the bad one's would have come. */
const controlAddress = 'control@example.com';

// What a person reads on the page; fragments, so punctuation tweaks do not break the corpus.
const invalidEmail = 'Enter a valid email address';
const malformedCode = 'Enter the 6-digit code from the email';
const formExpired = 'This form has expired';
const unsupportedContent = 'this kind of content is not accepted here';
const tooMuchData = 'The form sent far more data than it should';
const notFound = 'There is no page at this address';
const notUnderstood = 'The request could not be understood';

interface BadInputContext {
  client: FormClient;
  /** The CSRF token of the form page the client just loaded. */
  csrfToken: string;
  baseUrl: string;
}

interface BadInputCase {
  name: string;
  /** The form page loaded first, as a person would, so the client holds its CSRF cookie and token. */
  formPage: typeof requestPath | typeof verifyPath;
  send: (context: BadInputContext) => Promise<Page>;
  status: number;
  message: string;
}

function postForm(path: string, fields: Record<string, string | string[]>, options: { withCsrf?: boolean } = {}) {
  return ({ client }: BadInputContext) => client.post(path, fields, options);
}

function postRaw(path: string, contentType: string, body: (csrfToken: string) => string) {
  return ({ client, csrfToken }: BadInputContext) =>
    client.raw(path, { method: 'POST', headers: { 'content-type': contentType }, body: body(csrfToken) });
}

const badInputs: BadInputCase[] = [
  // --- POST /secure-otp/request/ ---
  {
    name: 'request: empty email',
    formPage: requestPath,
    send: postForm(requestPath, { email: '' }),
    status: 400,
    message: invalidEmail,
  },
  {
    name: 'request: email that is not an address',
    formPage: requestPath,
    send: postForm(requestPath, { email: 'not-an-email' }),
    status: 400,
    message: invalidEmail,
  },
  {
    name: 'request: email 300 characters long',
    formPage: requestPath,
    send: postForm(requestPath, { email: `${'a'.repeat(288)}@example.com` }),
    status: 400,
    message: invalidEmail,
  },
  {
    name: 'request: email with CR/LF smuggling a Bcc header',
    formPage: requestPath,
    send: postForm(requestPath, { email: 'a@example.com\r\nBcc: x@evil.example' }),
    status: 400,
    message: invalidEmail,
  },
  {
    name: 'request: email sent twice as a repeated field',
    formPage: requestPath,
    send: postForm(requestPath, { email: ['a@x.com', 'b@x.com'] }),
    status: 400,
    message: invalidEmail,
  },
  {
    name: 'request: no email field at all',
    formPage: requestPath,
    send: postForm(requestPath, {}),
    status: 400,
    message: invalidEmail,
  },
  {
    name: 'request: no CSRF token',
    formPage: requestPath,
    send: postForm(requestPath, { email: ada }, { withCsrf: false }),
    status: 403,
    message: formExpired,
  },
  {
    name: 'request: a made-up CSRF token',
    formPage: requestPath,
    send: postForm(requestPath, { _csrf: 'not-the-token-from-the-page', email: ada }),
    status: 403,
    message: formExpired,
  },
  {
    name: "request: a CSRF token from another visitor's page",
    formPage: requestPath,
    send: async ({ client, baseUrl }) => {
      const otherVisitor = new FormClient(baseUrl);
      const theirToken = csrfTokenIn((await otherVisitor.get(requestPath)).body) ?? '';
      return client.post(requestPath, { _csrf: theirToken, email: ada });
    },
    status: 403,
    message: formExpired,
  },
  {
    name: 'request: a token but no CSRF cookie (the form was never loaded by this client)',
    formPage: requestPath,
    send: ({ csrfToken, baseUrl }) =>
      new FormClient(baseUrl).raw(requestPath, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrfToken, email: ada }).toString(),
      }),
    status: 403,
    message: formExpired,
  },
  {
    // Even with a valid token: the page routes take HTML forms only.
    name: 'request: a JSON body (carrying a valid CSRF token)',
    formPage: requestPath,
    send: postRaw(requestPath, 'application/json', (csrfToken) => JSON.stringify({ _csrf: csrfToken, email: ada })),
    status: 415,
    message: unsupportedContent,
  },
  {
    // text/plain is what a cross-site <form enctype="text/plain"> sends without a CORS preflight.
    name: 'request: a text/plain body',
    formPage: requestPath,
    send: postRaw(requestPath, 'text/plain', (csrfToken) => `_csrf=${csrfToken}&email=${ada}`),
    status: 415,
    message: unsupportedContent,
  },
  {
    name: 'request: a 1 MB body',
    formPage: requestPath,
    send: postForm(requestPath, { email: ada, padding: 'x'.repeat(1024 * 1024) }),
    status: 413,
    message: tooMuchData,
  },

  // --- POST /secure-otp/verify/ ---
  {
    name: 'verify: code with letters',
    formPage: verifyPath,
    send: postForm(verifyPath, { email: ada, code: '12ab56' }),
    status: 400,
    message: malformedCode,
  },
  {
    name: 'verify: code of 7 digits',
    formPage: verifyPath,
    send: postForm(verifyPath, { email: ada, code: '1234567' }),
    status: 400,
    message: malformedCode,
  },
  {
    name: 'verify: code of 5 digits',
    formPage: verifyPath,
    send: postForm(verifyPath, { email: ada, code: '12345' }),
    status: 400,
    message: malformedCode,
  },
  {
    name: 'verify: empty code',
    formPage: verifyPath,
    send: postForm(verifyPath, { email: ada, code: '' }),
    status: 400,
    message: malformedCode,
  },
  {
    name: 'verify: code 100 characters long',
    formPage: verifyPath,
    send: postForm(verifyPath, { email: ada, code: '1'.repeat(100) }),
    status: 400,
    message: malformedCode,
  },
  {
    name: 'verify: no code field at all',
    formPage: verifyPath,
    send: postForm(verifyPath, { email: ada }),
    status: 400,
    message: malformedCode,
  },
  {
    name: 'verify: invalid email with a well-formed code',
    formPage: verifyPath,
    send: postForm(verifyPath, { email: 'not-an-email', code: '123456' }),
    status: 400,
    message: invalidEmail,
  },
  {
    name: 'verify: no CSRF token',
    formPage: verifyPath,
    send: postForm(verifyPath, { email: ada, code: '123456' }, { withCsrf: false }),
    status: 403,
    message: formExpired,
  },

  // --- anywhere else ---
  {
    name: 'GET of a path that does not exist',
    formPage: requestPath,
    send: ({ client }) => client.get('/no/such/page'),
    status: 404,
    message: notFound,
  },
  {
    name: 'POST to a GET-only page',
    formPage: requestPath,
    send: postForm(paths.start, { email: ada }),
    status: 404,
    message: notFound,
  },
  {
    name: 'GET of a path with broken percent-encoding',
    formPage: requestPath,
    send: ({ client }) => client.get('/secure-otp/%ZZ'),
    status: 400,
    message: notUnderstood,
  },
];

function errorLogLines(lines: string[]): string[] {
  return lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
}

describe('bad input gets a 4xx page that explains itself, and nothing else happens', () => {
  const fixture = freshAppPerTest();

  it.each(badInputs)('$name → $status', async (badInput) => {
    const client = new FormClient(fixture.testApp.baseUrl);
    const formPage = await client.get(badInput.formPage);
    const csrfToken = csrfTokenIn(formPage.body);
    expect(formPage.status).toBe(200);
    expect(csrfToken).toBeDefined();

    const page = await badInput.send({ client, csrfToken: csrfToken ?? '', baseUrl: fixture.testApp.baseUrl });

    expect(page.status).toBeLessThan(500);
    expect(page.status).toBe(badInput.status);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(textOf(page.body)).toContain(badInput.message);

    // Mail may leave through a queue after the response, so rather than sleep, send one good request
    // behind the bad one: once its mail has arrived, the only mail in the inbox must be that one.
    const control = new FormClient(fixture.testApp.baseUrl);
    await control.get(requestPath);
    expect((await control.post(requestPath, { email: controlAddress })).path).toBe(verifyPath);
    await fixture.smtp.waitForMessages(1);
    expect(fixture.smtp.envelopes.map((envelope) => envelope.to)).toEqual([[controlAddress]]);
    expect(errorLogLines(fixture.testApp.logLines)).toEqual([]);
  });
});
