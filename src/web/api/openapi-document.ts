/** The slice of an OpenAPI 3.1 document the docs page and the post-processing read. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface OpenApiOperation {
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema; description?: string }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: JsonSchema }> }>;
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  maxLength?: number;
  format?: string;
  [key: string]: unknown;
}

/**
 * Finishes what @fastify/swagger produced: error responses are problem documents, so their media type
 * is application/problem+json, and each response gets a description.
 */
export function finishOpenApiDocument(generated: OpenApiDocument): OpenApiDocument {
  const document = structuredClone(generated);
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (Number(status) >= 400 && json !== undefined) response.content = { 'application/problem+json': json };
        // Swagger copies the schema's description here; for problems the code that status carries says more.
        const keep = Number(status) < 400 && response.description !== undefined && response.description !== 'Default Response';
        if (!keep) response.description = describeStatus(status);
      }
    }
  }
  return document;
}

const statusDescriptions: Record<string, string> = {
  '200': 'OK',
  '202': 'Accepted: the email is queued',
  '400': 'invalid_request (`errors` names each field at fault)',
  '401': 'unauthorized',
  '403': 'forbidden',
  '404': 'no_pending_code',
  '410': 'expired',
  '413': 'payload_too_large',
  '415': 'unsupported_media_type',
  '422':
    'invalid_code (`attemptsLeft` says how many tries remain); on a code request: undeliverable (the address is suppressed), disposable_address or no_mail_domain (ask the person for another address)',
  '423': 'locked',
  '429':
    'rate_limited (Retry-After says when to try again; on a code request also when its recipient domain had its share this hour)',
  '503': 'unavailable (the database is unreachable, or the daily mail limit is reached; Retry-After says when to try again)',
};

function describeStatus(status: string): string {
  return statusDescriptions[status] ?? 'Response';
}
