import { afterEach, describe, expect, it } from 'vitest';
import { FormClient } from '../support/form-client.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface LogLine {
  event?: string;
  email?: string;
  reason?: string;
  [key: string]: unknown;
}

describe('log lines', () => {
  let testApp: TestApp | undefined;
  let smtp: SmtpTestServer | undefined;

  afterEach(async () => {
    await testApp?.close();
    await smtp?.close();
  });

  it('records every OTP event, one JSON line each, with the address masked and never the code', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url, OTP_MAX_ATTEMPTS: '2' } });
    const address = 'dora.secret@example.com';
    const browser = new FormClient(testApp.baseUrl);
    await browser.get('/secure-otp/request/');
    await browser.post('/secure-otp/request/', { email: address });
    await smtp.waitForMessages(1);
    // The SMTP server has the mail before the worker records the send and logs it: wait for that line.
    await expect.poll(() => testApp!.logLines.some((line) => line.includes('"otp.sent"'))).toBe(true);
    const code = latestCodeFor(smtp.messages, address);
    const wrong = code === '000000' ? '111111' : '000000';
    await browser.post('/secure-otp/verify/', { email: address, code: wrong });
    await browser.post('/secure-otp/verify/', { email: address, code: wrong });
    await browser.post('/secure-otp/verify/', { email: address, code });

    const lines = testApp.logLines.map((line) => JSON.parse(line) as LogLine);
    const events = lines.filter((line) => line.event !== undefined);
    const named = (name: string) => events.filter((line) => line.event === name);
    expect(named('otp.requested')).toHaveLength(1);
    expect(named('otp.sent')).toHaveLength(1);
    expect(named('otp.sent')[0]).toHaveProperty('queuedForMs');
    expect(named('otp.failed').map((line) => line.reason)).toEqual(['invalid_code', 'locked', 'locked']);
    expect(named('otp.locked')).toHaveLength(2);
    for (const line of events.filter((candidate) => candidate.event?.startsWith('otp.'))) {
      expect(line.email).toBe('do***@example.com');
    }
    // Exactly one line per request, path without the query, and no cookie header.
    const requestLines = lines.filter((line) => line.msg === 'request');
    expect(requestLines.length).toBeGreaterThanOrEqual(5);
    expect(lines.filter((line) => line.msg === 'incoming request' || line.msg === 'request completed')).toEqual([]);
    for (const line of requestLines) expect((line.req as { url: string }).url).not.toContain('?');

    const everything = testApp.logLines.join('\n');
    expect(everything).not.toContain(address);
    expect(everything).not.toMatch(new RegExp(`\\b${code}\\b`));
    expect(everything).not.toContain('cookie');

    // The success after a lock-out: verified only if the code was still usable; here the code is dead.
    expect(named('otp.verified')).toHaveLength(0);
  });

  it('records a successful verification as otp.verified', async () => {
    smtp = await startSmtpTestServer();
    testApp = await startTestApp({ env: { SMTP_URL: smtp.url } });
    const browser = new FormClient(testApp.baseUrl);
    await browser.get('/secure-otp/request/');
    await browser.post('/secure-otp/request/', { email: 'eve@example.com' });
    await smtp.waitForMessages(1);
    const code = latestCodeFor(smtp.messages, 'eve@example.com');
    await browser.post('/secure-otp/verify/', { email: 'eve@example.com', code });
    const events = testApp.logLines.map((line) => JSON.parse(line) as LogLine).filter((line) => line.event === 'otp.verified');
    expect(events).toEqual([expect.objectContaining({ event: 'otp.verified', email: 'ev***@example.com', purpose: 'sign-in' })]);
    expect(testApp.logLines.join('\n')).not.toMatch(new RegExp(`\\b${code}\\b`));
  });
});
