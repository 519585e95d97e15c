import { afterEach, beforeEach } from 'vitest';
import { type SmtpTestServer, startSmtpTestServer } from './smtp-test-server.js';
import { startTestApp, type TestApp } from './test-app.js';

/** What freshAppPerTest gives each test: its own mail server and app. */
export interface AppPerTest {
  readonly smtp: SmtpTestServer;
  readonly testApp: TestApp;
}

/**
 * Registers, in the calling `describe`, a fresh SMTP test server and app for each test, closed after it.
 * `env` is the app's environment given the mail server's URL; by default it only sends mail there.
 */
export function freshAppPerTest(
  env: (smtpUrl: string) => Record<string, string | undefined> = (smtpUrl) => ({ SMTP_URL: smtpUrl }),
): AppPerTest {
  let smtp: SmtpTestServer | undefined;
  let testApp: TestApp | undefined;
  beforeEach(async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: env(smtp.url) });
  });
  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
    testApp = undefined;
    smtp = undefined;
  });
  return {
    get smtp() {
      if (smtp === undefined) throw new Error('freshAppPerTest: no test is running');
      return smtp;
    },
    get testApp() {
      if (testApp === undefined) throw new Error('freshAppPerTest: no test is running');
      return testApp;
    },
  };
}

/** A production app's environment (secure cookies, HSTS, no dev mailbox), mailing to the test server. */
export function productionEnv(smtpUrl: string): Record<string, string> {
  return { NODE_ENV: 'production', SMTP_URL: smtpUrl, SECRET_KEY: 'production-secret-key-0123456789abcdef-0123456789' };
}
