import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/server-process.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';
import { testSecretKey } from '../support/test-app.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What `npm run build` + `npm run start:prod` do, into a scratch folder inside the repository (so the
 * compiled files resolve the same node_modules): compile with tsconfig.build.json, copy the stylesheet,
 * and run `node cli/cli.js serve` — plain Node, no tsx loader.
 */
describe('the production build', () => {
  let outDir: string;
  let dataDir: string;
  let smtp: SmtpTestServer;
  let server: ChildProcess | undefined;
  let baseUrl: string;
  let output = '';

  beforeAll(async () => {
    mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
    outDir = mkdtempSync(join(repoRoot, 'test-artifacts', 'dist-'));
    dataDir = mkdtempSync(join(tmpdir(), 'otp-build-data-'));
    await promisify(execFile)(
      process.execPath,
      [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
      {
        cwd: repoRoot,
      },
    ).catch((error: { stdout?: string }) => {
      throw new Error(`tsc -p tsconfig.build.json failed:\n${error.stdout ?? String(error)}`);
    });
    cpSync(join(repoRoot, 'src/web/static'), join(outDir, 'web/static'), { recursive: true });

    smtp = await startSmtpTestServer();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [join(outDir, 'cli', 'cli.js'), 'serve'], {
      cwd: dataDir,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        SECRET_KEY: testSecretKey,
        SMTP_URL: smtp.url,
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the built server exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the built server did not answer within 20 s:\n${output}`);
      try {
        if ((await fetch(`${baseUrl}/healthz`)).ok) break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }, 120_000);

  afterAll(async () => {
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await smtp?.close();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the home page, its stylesheet and /healthz from compiled JavaScript', async () => {
    const home = await fetch(`${baseUrl}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<html lang="en">');
    const css = await fetch(`${baseUrl}/static/app.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await (await fetch(`${baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${baseUrl}/readyz`)).json()).toMatchObject({
      status: 'ready',
      database: 'ok',
      migrations: 'current',
    });
    // Production: no dev mailbox, and metrics only with a token.
    expect((await fetch(`${baseUrl}/dev/mailbox`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/metrics`)).status).toBe(404);
  });

  it('logs JSON in production', () => {
    const firstLine = output.split('\n').find((line) => line.trim() !== '');
    expect(() => JSON.parse(firstLine ?? '')).not.toThrow();
  });
});
