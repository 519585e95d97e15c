import { generateApiKey } from '../../src/core/api-key.js';
import { FakeClock } from '../support/fake-clock.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { waitForNoSendInFlight } from '../support/outbox-rows.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type ApiCallOptions, type ApiResponse, apiClient, OpenApiResponseChecker } from './api-client.js';

export interface ApiTestApp {
  testApp: TestApp;
  smtp: SmtpTestServer;
  clock: FakeClock;
  apiKey: string;
  /** Another valid key (label `other`), for a second integrator. */
  otherApiKey: string;
  /** Calls the API over HTTP and checks the answer against the served OpenAPI document. */
  call(path: string, options?: ApiCallOptions & { unchecked?: boolean }): Promise<ApiResponse>;
  /** Requests a code over the API and returns it as read from the mail. */
  requestAndReadCode(body: { email: string; purpose?: string; context?: string }): Promise<{ id: string; code: string }>;
  openApi: any;
  close(): Promise<void>;
}

/** The real server (API enabled with one key) on an ephemeral port, a real SMTP server, a fake clock. */
export async function startApiApp(env: Record<string, string> = {}): Promise<ApiTestApp> {
  const smtp = await startSmtpTestServer({
    rejectRecipients: (address) => (address.startsWith('nobody@') ? { code: 550, message: 'No such user' } : undefined),
  });
  const clock = new FakeClock(Date.now());
  const { key: apiKey, sha256Hex } = generateApiKey();
  // A second integrator's key: codes are bound to the key that asked for them.
  const other = generateApiKey();
  const keyHashes = `ci:${sha256Hex},other:${other.sha256Hex}`;
  const testApp = await startTestApp({ env: { SMTP_URL: smtp.url, API_KEY_HASHES: keyHashes, ...env }, clock });
  const client = apiClient(testApp.baseUrl, apiKey);
  const openApi = (await client('/api/v1/openapi.json')).body;
  const checker = new OpenApiResponseChecker(openApi);
  let mailsSeen = 0;

  async function call(path: string, options: ApiCallOptions & { unchecked?: boolean } = {}) {
    const response = await client(path, options);
    if (!options.unchecked) checker.check(response);
    return response;
  }

  return {
    testApp,
    smtp,
    clock,
    apiKey,
    otherApiKey: other.key,
    openApi,
    call,
    async requestAndReadCode(body) {
      const response = await call('/api/v1/otp', { body });
      if (response.status !== 202) throw new Error(`request refused: ${JSON.stringify(response.body)}`);
      mailsSeen += 1;
      await smtp.waitForMessages(mailsSeen);
      // Callers jump the clock next: let the worker record the send first (see waitForNoSendInFlight).
      await waitForNoSendInFlight(testApp.runtime.db);
      return { id: response.body.id, code: latestCodeFor(smtp.messages, body.email) };
    },
    async close() {
      await testApp.close();
      await smtp.close();
    },
  };
}

/** A code of the right shape that is not `code`. */
export function wrongCodeFor(code: string): string {
  return code === '000000' ? '111111' : '000000';
}
