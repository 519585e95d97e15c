import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock.js';
import { FormClient } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const metricsToken = 'metrics-token-0123456789abcdef';

/** The value of one sample line, e.g. `otp_verify_failures_total{reason="invalid_code"}`; 0 when absent. */
function sample(text: string, nameAndLabels: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${nameAndLabels} `));
  return line === undefined ? 0 : Number(line.slice(nameAndLabels.length + 1));
}

describe('/metrics', () => {
  let testApp: TestApp | undefined;
  let smtp: SmtpTestServer | undefined;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
    testApp = undefined;
    smtp = undefined;
  });

  async function scrape(headers: Record<string, string> = {}): Promise<string> {
    const response = await fetch(`${testApp!.baseUrl}/metrics`, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  }

  it('counts requests by route and status, codes requested, sent, verified and failed by reason', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url } });
    const before = await scrape();
    expect(sample(before, 'otp_codes_requested_total{purpose="sign-in"}')).toBe(0);

    const browser = new FormClient(testApp.baseUrl);
    await browser.get('/secure-otp/request/');
    await browser.post('/secure-otp/request/', { email: 'anna@example.com' });
    await smtp.waitForMessages(1);
    const code = latestCodeFor(smtp.messages, 'anna@example.com');
    await browser.post('/secure-otp/verify/', { email: 'anna@example.com', code: code === '000000' ? '111111' : '000000' });
    await browser.post('/secure-otp/verify/', { email: 'anna@example.com', code });
    await fetch(`${testApp.baseUrl}/no-such-page?secret=1`);

    const after = await scrape();
    expect(sample(after, 'otp_codes_requested_total{purpose="sign-in"}')).toBe(1);
    expect(sample(after, 'otp_verify_failures_total{reason="invalid_code"}')).toBe(1);
    expect(sample(after, 'otp_codes_verified_total{purpose="sign-in"}')).toBe(1);
    expect(sample(after, 'otp_emails_sent_total')).toBe(1);
    expect(sample(after, 'otp_email_delivery_latency_seconds_count')).toBe(1);
    expect(sample(after, 'http_requests_total{method="POST",route="/secure-otp/request/",status="303"}')).toBe(1);
    expect(sample(after, 'http_requests_total{method="POST",route="/secure-otp/verify/",status="422"}')).toBe(1);
    expect(sample(after, 'http_requests_total{method="GET",route="/secure-otp/request/",status="200"}')).toBe(1);
    // Unknown URLs share one label value: whatever people type cannot blow up the series count.
    expect(sample(after, 'http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(after).not.toContain('no-such-page');
    expect(after).toContain('process_resident_memory_bytes');
  });

  it('shows outbox depth and the age of the oldest undelivered email', async () => {
    // No worker in this process: the email stays queued. The app's clock moves only when told to.
    const clock = new FakeClock();
    testApp = await startTestApp({ clock, env: { OUTBOX_WORKER: 'off' } });
    expect(sample(await scrape(), 'otp_outbox_messages{status="queued"}')).toBe(0);
    expect(sample(await scrape(), 'otp_outbox_oldest_pending_age_seconds')).toBe(0);

    const request = await testApp.runtime.service.request({ address: 'ben@example.com' });
    expect(request.ok).toBe(true);
    expect(sample(await scrape(), 'otp_outbox_oldest_pending_age_seconds')).toBe(0);
    clock.advanceSeconds(42);
    const text = await scrape();
    expect(sample(text, 'otp_outbox_messages{status="queued"}')).toBe(1);
    expect(sample(text, 'otp_outbox_messages{status="sent"}')).toBe(0);
    expect(sample(text, 'otp_outbox_oldest_pending_age_seconds')).toBe(42);
  });

  it('keeps each app on its own registry', async () => {
    testApp = await startTestApp({ env: { OUTBOX_WORKER: 'off' } });
    const other = await startTestApp({ env: { OUTBOX_WORKER: 'off' } });
    try {
      await other.runtime.service.request({ address: 'carl@example.com' });
      expect(other.runtime.metrics.registry).not.toBe(testApp.runtime.metrics.registry);
      expect(sample(await scrape(), 'otp_codes_requested_total{purpose="sign-in"}')).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('requires the bearer token when METRICS_TOKEN is set', async () => {
    testApp = await startTestApp({ env: { METRICS_TOKEN: metricsToken } });
    const anonymous = await fetch(`${testApp.baseUrl}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await fetch(`${testApp.baseUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}x` } });
    expect(wrong.status).toBe(401);
    expect(await scrape({ authorization: `Bearer ${metricsToken}` })).toContain('http_requests_total');
  });

  it('is not served in production without METRICS_TOKEN', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { NODE_ENV: 'production', SMTP_URL: smtp.url } });
    const response = await fetch(`${testApp.baseUrl}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('http_requests_total');
  });

  it('refuses a METRICS_TOKEN too short to be a secret', async () => {
    await expect(startTestApp({ env: { METRICS_TOKEN: 'short' } })).rejects.toThrow(/METRICS_TOKEN must be at least 16 bytes/);
  });
});
