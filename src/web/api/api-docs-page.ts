import { html, type SafeHtml } from '../html.js';
import { apiProblemCodes, apiProblems } from './api-problem.js';
import type { JsonSchema, OpenApiDocument, OpenApiOperation } from './openapi-document.js';

/**
 * The human-readable API reference, rendered on the server from the same OpenAPI document that is
 * served as JSON: no script and no third-party assets, so the pages' strict CSP needs no exception.
 */
export function apiDocsPage(document: OpenApiDocument, openApiPath: string): SafeHtml {
  const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );
  return html`<h1>${document.info.title}</h1>
<p>${document.info.description ?? ''}</p>
<p>Machine-readable: <a href="${openApiPath}">OpenAPI 3.1 document</a>.</p>
<h2>Authentication</h2>
<p>Send <code>Authorization: Bearer &lt;api key&gt;</code> on every <code>/api/v1/otp</code> call. Keys are made with
<code>otp-app api-key</code>; the server keeps only their SHA-256 hashes (<code>API_KEY_HASHES</code>).</p>
<h2>Verification tokens</h2>
<p>A successful verify returns a JWT signed with Ed25519 (<code>alg: EdDSA</code>). Check its signature against the
keys at <code>/.well-known/jwks.json</code>, then <code>iss</code>, <code>exp</code>, <code>purpose</code> and, when the code
was bound to a context, <code>ctx</code> = lower-case hex SHA-256 of that context.</p>
${operations.map(({ path, method, operation }) => operationSection(method, path, operation))}
<h2 id="problems">Errors</h2>
<p>Every error is an RFC 9457 problem document (<code>application/problem+json</code>) with a <code>code</code> member.</p>
<dl>
${apiProblemCodes.map(
  (code) =>
    html`<dt id="problem-${code}"><code>${code}</code> (${apiProblems[code].status})</dt><dd>${apiProblems[code].title}${problemNote(code)}</dd>`,
)}
</dl>`;
}

function problemNote(code: string): string {
  if (code === 'invalid_code')
    return '. Also the answer for an address with no live code, so the API never tells who asked for one. The attemptsLeft member says how many tries remain.';
  if (code === 'no_pending_code') return ': only for GET /api/v1/otp/{id} with an unknown id.';
  if (code === 'undeliverable')
    return ': only for POST /api/v1/otp, for an address on the suppression list (it bounced, or reported our mail as spam); nothing was sent, ask for another address.';
  if (code === 'rate_limited')
    return ': per-address cooldown, send cap, paused address, per-client limit, or the recipient domain had its share this hour. Retry-After says when.';
  if (code === 'disposable_address' || code === 'no_mail_domain')
    return ': only when requesting a code (BLOCK_DISPOSABLE_EMAIL, OTP_CHECK_MX); ask the person for another address.';
  if (code === 'unavailable')
    return ': the database is unreachable, or the daily mail limit (MAIL_DAILY_LIMIT) is reached and no code can be sent for now. Retry-After says when.';
  return '.';
}

function operationSection(method: string, path: string, operation: OpenApiOperation): SafeHtml {
  const body = operation.requestBody?.content['application/json']?.schema;
  return html`<section class="api-operation">
<h2><code>${method} ${path}</code></h2>
<p><strong>${operation.summary ?? ''}</strong></p>
<p>${operation.description ?? ''}</p>
${operation.security !== undefined ? html`<p>Needs an API key.</p>` : html`<p>Public.</p>`}
${body === undefined ? '' : html`<h3>Request body (JSON)</h3>${fieldTable(body)}`}
${(operation.parameters ?? []).length === 0 ? '' : html`<h3>Parameters</h3><ul>${(operation.parameters ?? []).map((parameter) => html`<li><code>${parameter.name}</code> (${parameter.in}) ${parameter.schema?.description ?? parameter.description ?? ''}</li>`)}</ul>`}
<h3>Responses</h3>
<ul>
${Object.entries(operation.responses).map(([status, response]) => {
  const schema = response.content?.['application/json']?.schema;
  return html`<li><strong>${status}</strong> ${response.description ?? ''}${schema?.properties === undefined ? '' : html`${fieldTable(schema)}`}</li>`;
})}
</ul>
</section>`;
}

function fieldTable(schema: JsonSchema): SafeHtml {
  const required = new Set(schema.required ?? []);
  return html`<table><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>About</th></tr></thead><tbody>
${Object.entries(schema.properties ?? {}).map(
  ([name, field]) =>
    html`<tr><td><code>${name}</code></td><td>${typeOf(field)}</td><td>${required.has(name) ? 'yes' : 'no'}</td><td>${field.description ?? ''}</td></tr>`,
)}
</tbody></table>`;
}

function typeOf(field: JsonSchema): string {
  if (field.enum !== undefined) return `one of ${field.enum.map(String).join(', ')}`;
  if (field.const !== undefined) return JSON.stringify(field.const);
  const type = Array.isArray(field.type) ? field.type.join(' | ') : (field.type ?? 'any');
  return field.maxLength === undefined ? type : `${type} (≤ ${field.maxLength})`;
}
