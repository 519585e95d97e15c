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
  /** Standard output alone: the log stream, where every line must be JSON. */
  let stdout = '';
  const logLineWaiters: Array<{ matches: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];

  /** Resolves with the first log line (already written, or written later) that `matches` accepts. */
  function logLine(matches: (line: LogLine) => boolean): Promise<LogLine> {
    const written = logLinesOf(stdout).find(matches);
    if (written !== undefined) return Promise.resolve(written);
    return new Promise((resolve) => logLineWaiters.push({ matches, resolve }));
  }

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
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      stdout += chunk.toString();
      const lines = logLinesOf(stdout);
      for (const waiter of [...logLineWaiters]) {
        const line = lines.find(waiter.matches);
        if (line === undefined) continue;
        logLineWaiters.splice(logLineWaiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    });
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Ready when Fastify logs that it listens (written once the port is bound); an early exit fails at once.
    const exited = new Promise<never>((_resolve, reject) => {
      server!.once('exit', (code) => reject(new Error(`the built server exited (${code}):\n${output}`)));
    });
    exited.catch(() => {});
    await Promise.race([logLine((line) => String(line.msg).startsWith('Server listening at')), exited]);
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

  it('logs JSON in production: every line, with level, time and message, and one line per request', async () => {
    await fetch(`${baseUrl}/secure-otp/request/?email=anna%40example.com`);
    const requestLine = await logLine(
      (line) => line.msg === 'request' && isRecord(line.req) && line.req.url === '/secure-otp/request/',
    );

    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      let parsed: unknown;
      expect(() => (parsed = JSON.parse(line)), line).not.toThrow();
      expect(parsed, line).toMatchObject({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) });
    }
    expect(logLinesOf(stdout).some((line) => String(line.msg).startsWith('Server listening at'))).toBe(true);
    // The request line: method, route and status, never the query string.
    expect(requestLine).toMatchObject({
      level: 30,
      req: { method: 'GET', url: '/secure-otp/request/' },
      statusCode: 200,
      responseTimeMs: expect.any(Number),
    });
    expect(stdout).not.toContain('anna');
  });
});

type LogLine = Record<string, unknown>;

/** The complete lines of `text` that are JSON objects (a line still being written is left out). */
function logLinesOf(text: string): LogLine[] {
  return text
    .split('\n')
    .slice(0, -1)
    .flatMap((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return isRecord(parsed) ? [parsed] : [];
      } catch {
        return [];
      }
    });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
