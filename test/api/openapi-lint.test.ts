import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestApp, startApiApp } from './api-app.js';

const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

/** A caller in another code base, typed only by what openapi-typescript generated from the document. */
const generatedTypesConsumer = `
import type { operations, paths } from './api-types.js';

type SendBody = paths['/api/v1/otp']['post']['requestBody']['content']['application/json'];
type Sent = operations['sendCode']['responses']['202']['content']['application/json'];
type Verified = operations['verifyCode']['responses']['200']['content']['application/json'];
type WrongCode = operations['verifyCode']['responses']['422']['content']['application/problem+json'];
type Status = operations['codeStatus']['responses']['200']['content']['application/json']['status'];

export const body: SendBody = { email: 'anna@example.com', purpose: 'confirm-action', context: 'Pay 120.00 EUR' };
export const sent: Sent = { id: 'id', expiresAt: '2026-01-01T00:00:00Z', resendAfter: '2026-01-01T00:00:00Z' };
export const verified: Verified = { verified: true, token: 'a.b.c', expiresAt: '2026-01-01T00:00:00Z' };
export const wrong: WrongCode = { type: 't', title: 't', status: 422, detail: 'd', code: 'invalid_code', attemptsLeft: 4 };
export const status: Status = 'sent';
// @ts-expect-error a purpose the service does not offer
export const badPurpose: SendBody = { email: 'anna@example.com', purpose: 'launch-missiles' };
// @ts-expect-error not a delivery status
export const badStatus: Status = 'lost';
`;

describe('the served OpenAPI document, as other languages’ generators read it', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiApp();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('passes Redocly’s recommended rules: no error, and no warning but one', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(api.openApi), absoluteRef: 'openapi.json', config });
    const described = problems.map(
      (problem) => `${problem.severity} ${problem.ruleId}: ${problem.message} @ ${problem.location[0]?.pointer}`,
    );
    // The one warning left: the public key set has no client error to describe, so it declares no 4xx.
    expect(described).toEqual([
      'warn operation-4xx-response: Operation must have at least one `4XX` response. @ #/paths/~1.well-known~1jwks.json/get/responses',
    ]);
  });

  it('generates TypeScript types (openapi-typescript) that compile and type a caller', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otp-app-openapi-types-'));
    try {
      writeFileSync(join(dir, 'api-types.ts'), astToString(await openapiTS(structuredClone(api.openApi))));
      writeFileSync(join(dir, 'consumer.ts'), generatedTypesConsumer);
      const compilerOptions = { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, types: [] };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['api-types.ts', 'consumer.ts'] }));
      const output = await promisify(execFile)(process.execPath, [tsc, '-p', dir]).then(
        () => '',
        (error: { stdout: string }) => error.stdout,
      );
      expect(output).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
