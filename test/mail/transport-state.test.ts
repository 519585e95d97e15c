import { afterEach, describe, expect, it, vi } from 'vitest';
import { sendTestEmail } from '../../src/cli/send-test-email.js';
import { loadConfig } from '../../src/config/config.js';
import { TransportCircuit } from '../../src/mail/transport-circuit.js';
import { closedAfterEach } from '../support/closed-after-each.js';
import { dialects } from '../support/dialects.js';
import { FakeClock } from '../support/fake-clock.js';
import { distinctAddresses, waitForOutboxFinished } from '../support/outbox-rows.js';
import { freePort } from '../support/server-process.js';
import { startSmtpTestServer } from '../support/smtp-test-server.js';
import { startTestApp } from '../support/test-app.js';

describe('a transport circuit', () => {
  it('opens after three failures in a row, is half-open after the cool-off, and closes on a success', () => {
    const circuit = new TransportCircuit('mx.example:587', 3, 60_000);
    expect(circuit.snapshot(0)).toEqual({ name: 'mx.example:587', circuit: 'closed', failuresInARow: 0, lastSuccessAtMs: null });
    expect([circuit.recordFailure(0), circuit.recordFailure(1), circuit.recordFailure(2)]).toEqual([false, false, true]);
    expect(circuit.state(2)).toBe('open');
    expect(circuit.skips(60_001)).toBe(true);
    expect(circuit.state(60_002)).toBe('half_open');
    // The probe fails: open again at once, without another three failures.
    expect(circuit.recordFailure(60_002)).toBe(true);
    expect(circuit.snapshot(60_003)).toMatchObject({ circuit: 'open', failuresInARow: 4 });
    circuit.recordSuccess(120_002);
    expect(circuit.snapshot(120_003)).toEqual({
      name: 'mx.example:587',
      circuit: 'closed',
      failuresInARow: 0,
      lastSuccessAtMs: 120_002,
    });
  });
});

describe.each(dialects)('which transport took each email, and each transport state (%s)', (dialect) => {
  const opened = closedAfterEach();

  it('records the secondary on the row when the primary is down, and shows both in /readyz and /metrics', async () => {
    const secondary = opened.add(await startSmtpTestServer());
    const deadPort = await freePort();
    const clock = new FakeClock(Date.now());
    const testApp = opened.add(
      await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${deadPort}, ${secondary.url}` }, clock, dialect }),
    );
    const primaryName = `127.0.0.1:${deadPort}`;
    const secondaryName = `127.0.0.1:${secondary.port}`;
    const addresses = distinctAddresses(3, 'failover');
    for (const address of addresses) {
      expect((await testApp.runtime.service.request({ address })).ok).toBe(true);
      await secondary.waitForMessages(addresses.indexOf(address) + 1, 30_000);
    }
    const rows = await waitForOutboxFinished(testApp.runtime.db);
    expect(rows.map((row) => [row.status, row.transport])).toEqual(Array(3).fill(['sent', secondaryName]));
    // Each delivered once.
    expect(secondary.envelopes.map((envelope) => envelope.to.join(',')).sort()).toEqual(addresses);

    const readiness = await (await fetch(`${testApp.baseUrl}/readyz`)).json();
    expect(readiness.transports).toEqual([
      { name: primaryName, circuit: 'open', failuresInARow: 3, lastSuccessAt: null },
      { name: secondaryName, circuit: 'closed', failuresInARow: 0, lastSuccessAt: new Date(clock.nowMs()).toISOString() },
    ]);
    const metrics = await (await fetch(`${testApp.baseUrl}/metrics`)).text();
    expect(metrics).toContain(`otp_mail_transport_circuit{transport="${primaryName}",state="open"} 1`);
    expect(metrics).toContain(`otp_mail_transport_circuit{transport="${primaryName}",state="closed"} 0`);
    expect(metrics).toContain(`otp_mail_transport_failures_in_a_row{transport="${primaryName}"} 3`);
    expect(metrics).toContain(
      `otp_mail_transport_last_success_timestamp_seconds{transport="${secondaryName}"} ${clock.nowMs() / 1000}`,
    );
    expect(metrics).not.toContain(`otp_mail_transport_last_success_timestamp_seconds{transport="${primaryName}"}`);

    clock.advanceSeconds(60);
    const later = await (await fetch(`${testApp.baseUrl}/readyz`)).json();
    expect(later.transports[0]).toMatchObject({ name: primaryName, circuit: 'half_open' });
  });

  it('records the one transport of a single SMTP_URL too', async () => {
    const smtp = opened.add(await startSmtpTestServer());
    const testApp = opened.add(await startTestApp({ env: { SMTP_URL: smtp.url }, dialect }));
    expect((await testApp.runtime.service.request({ address: 'solo@example.com' })).ok).toBe(true);
    await smtp.waitForMessages(1, 30_000);
    const [row] = await waitForOutboxFinished(testApp.runtime.db);
    expect(row).toMatchObject({ status: 'sent', transport: `127.0.0.1:${smtp.port}` });
  });
});

describe('send-test-email --transport N', () => {
  const opened = closedAfterEach();
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function capture() {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
    return lines;
  }

  it('sends through the one transport asked for, without failing over, and refuses a number out of range', async () => {
    const first = opened.add(await startSmtpTestServer());
    const second = opened.add(await startSmtpTestServer());
    const deadPort = await freePort();
    const config = loadConfig({
      SECRET_KEY: 'send-test-transport-secret-key-0123456789',
      DATA_DIR: '/tmp',
      SMTP_URL: `${first.url}, ${second.url}, smtp://127.0.0.1:${deadPort}`,
    });
    const lines = capture();

    expect(await sendTestEmail(config, 'ops@example.com', '2')).toBe(0);
    expect(second.messages).toHaveLength(1);
    expect(first.messages).toHaveLength(0);
    expect(lines.at(-1)).toContain(`through transport 2 (127.0.0.1:${second.port})`);

    // The third is down: tested alone, it fails (failover would have hidden that).
    expect(await sendTestEmail(config, 'ops@example.com', '3')).toBe(1);
    expect(lines.at(-1)).toContain(`Could not send the test email through transport 3 (127.0.0.1:${deadPort})`);

    for (const wrong of ['0', '4', 'two', '-1']) {
      expect(await sendTestEmail(config, 'ops@example.com', wrong)).toBe(2);
      expect(lines.at(-1)).toContain('--transport must be a number from 1 to 3');
    }
    expect(first.messages).toHaveLength(0);
  });
});
