import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { SecretKeyring } from '../../src/core/secret-keyring.js';
import { verpAddress } from '../../src/core/verp-address.js';
import { VerpTokens } from '../../src/core/verp-token.js';
import { dsnFixture } from '../support/dsn-fixtures.js';
import { freePort, killServerProcesses, type ServerProcess, startServerProcess } from '../support/server-process.js';
import { testSecretKey } from '../support/test-app.js';

const bounce = { localPart: 'bounces', domain: 'mail.example.com' };

describe('the bounce receiver as a process: `otp-app bounces`, and `serve` with BOUNCE_SMTP_PORT', () => {
  let dataDir: string;
  let child: ServerProcess | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'otp-app-bounces-'));
    onTestFailed(() => console.error(child?.output().slice(-3000)));
  });
  afterEach(async () => {
    await killServerProcesses();
    child = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function sendDsn(port: number, to: string, recipient: string) {
    const mta = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      await mta.sendMail({ envelope: { from: '', to: [to] }, raw: dsnFixture('postfix-failed', { verp: to, recipient }) });
      return 250;
    } catch (error) {
      return (error as { responseCode?: number }).responseCode;
    } finally {
      mta.close();
    }
  }

  it('`bounces` logs where it listens, takes reports for tokens of this SECRET_KEY only, and stops on SIGTERM', async () => {
    const port = await freePort();
    child = await startServerProcess({
      command: 'bounces',
      cwd: dataDir,
      env: { DATA_DIR: dataDir, BOUNCE_ADDRESS: 'bounces@mail.example.com', BOUNCE_SMTP_PORT: String(port) },
    });
    expect(child.output()).toContain(`bounce receiver listening on 127.0.0.1:${port}`);

    const tokens = new VerpTokens(new SecretKeyring(testSecretKey, [], 'verp token v1'));
    const messageId = randomUUID();
    const verp = verpAddress(bounce, tokens.issue(messageId, 'anna@recipient.example'));
    expect(await sendDsn(port, verp, 'anna@recipient.example')).toBe(250);
    const forged = verpAddress(
      bounce,
      new VerpTokens(new SecretKeyring('x'.repeat(40), [], 'verp token v1')).issue(messageId, 'a@b.example'),
    );
    expect(await sendDsn(port, forged, 'anna@recipient.example')).toBe(550);
    await expect.poll(() => child?.output()).toContain(`"event":"bounce.received","messageId":"${messageId}"`);

    expect(await child.signalAndWait('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('`bounces` without BOUNCE_SMTP_PORT says what it needs and exits 1', async () => {
    const started = startServerProcess({
      command: 'bounces',
      cwd: dataDir,
      env: { DATA_DIR: dataDir, BOUNCE_ADDRESS: 'bounces@mail.example.com' },
    });
    await expect(started).rejects.toThrow(/"code":1.*needs BOUNCE_SMTP_PORT/s);
  });

  it('`serve` starts the receiver beside the web app when BOUNCE_SMTP_PORT is set, and stops both on SIGTERM', async () => {
    const port = await freePort();
    child = await startServerProcess({
      cwd: dataDir,
      env: { DATA_DIR: dataDir, BOUNCE_ADDRESS: 'bounces@mail.example.com', BOUNCE_SMTP_PORT: String(port) },
    });
    await expect.poll(() => child?.output()).toContain(`bounce receiver listening on 127.0.0.1:${port}`);
    expect(await sendDsn(port, 'postmaster@mail.example.com', 'anna@recipient.example')).toBe(550);
    expect(await child.signalAndWait('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
