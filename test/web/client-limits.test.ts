import { afterEach, describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { FormClient, textOf } from '../support/form-client.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const paths = pagePaths();

describe('per-client limits on the pages', () => {
  let smtp: SmtpTestServer;
  let testApp: TestApp;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
  });

  it('stops one client spreading verify attempts over many addresses, with Retry-After', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, OTP_IP_VERIFY_LIMIT: '3' } });
    const browser = new FormClient(testApp.baseUrl);
    const statuses: number[] = [];
    for (const address of ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com']) {
      await browser.get(paths.verify);
      const page = await browser.post(paths.verify, { email: address, code: '123456' });
      statuses.push(page.status);
      if (page.status === 429) {
        expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(textOf(page.body)).not.toBe('');
      }
    }
    expect(statuses).toEqual([422, 422, 422, 429]);
    // The refused fourth attempt never reached the store: no challenge row was made for it.
    const challenges = await testApp.runtime.db.selectFrom('otp_challenges').select('address').execute();
    expect(challenges.map((row) => row.address).sort()).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
  });
});
