import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/core/api-key.js';
import { latestCodeFor } from '../support/mail-codes.js';
import { killServerProcesses, startServerProcess } from '../support/server-process.js';
import { type SmtpTestServer, startSmtpTestServer } from '../support/smtp-test-server.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./consumer/', import.meta.url));
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
/** Each test runs node or tsc as a child process; on two busy cores a type check alone took over 20 s. */
const childProcessTimeoutMs = 120_000;

/** What the package is made from: its manifest, what `files` ships, and what prepack builds with. */
const packageSources = [
  'package.json',
  'README.md',
  'LICENSE',
  '.env.example',
  'docs',
  'bin',
  'src',
  'tsconfig.json',
  'tsconfig.build.json',
];

/** One result line a consumer script prints: `RESULT {json}`. */
function resultOf(stdout: string): any {
  const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (line === undefined) throw new Error(`no RESULT line in:\n${stdout}`);
  return JSON.parse(line.slice('RESULT '.length));
}

/**
 * What a user gets: `npm pack` (which builds dist/ by prepack), installed into a fresh project with
 * `npm install ./otp-app-x.y.z.tgz`, then used with plain `node` — no tsx, no TypeScript at run time.
 */
describe('the packed package, installed into a fresh project', () => {
  let work: string;
  let consumer: string;
  let packedFiles: string[];
  let smtp: SmtpTestServer;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'otp-app-package-'));
    // `npm pack` runs prepack, which deletes and rebuilds dist/ beside package.json: in the checkout that
    // would race the other test files (the production-build test, anything reading dist/). So the package
    // is packed from a copy of what goes into it (and what builds it), with the same scripts.
    const staging = join(work, 'staging');
    for (const entry of packageSources) cpSync(join(repoRoot, entry), join(staging, entry), { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules'), join(staging, 'node_modules'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: staging, maxBuffer: 1 << 24 });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    packedFiles = packed!.files.map((file) => file.path).sort();

    consumer = join(work, 'consumer');
    cpSync(fixtures, consumer, { recursive: true });
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // Install scripts are skipped: the one native dependency (better-sqlite3) would otherwise be compiled
    // again from source here; its build is copied from this checkout, the same version for the same Node.
    await run(
      'npm',
      ['install', join(work, packed!.filename), '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
      {
        cwd: consumer,
      },
    );
    cpSync(join(repoRoot, 'node_modules/better-sqlite3/build'), join(consumer, 'node_modules/better-sqlite3/build'), {
      recursive: true,
    });
    smtp = await startSmtpTestServer();
  }, 300_000);

  afterEach(async () => {
    await killServerProcesses();
  });

  afterAll(async () => {
    await smtp?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds the compiled code, its types and maps, the bin and the docs — no sources, tests or tooling', () => {
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/otp-app.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/index.js.map',
      'dist/client/index.js',
      'dist/client/index.d.ts',
      'dist/cli/cli.js',
      'dist/web/static/app.css',
      'dist/web/static/app.js',
      'dist/web/static/pow-challenge.js',
    ]) {
      expect(packedFiles).toContain(file);
    }
    const outside = packedFiles.filter((file) => !/^(dist|docs)\//.test(file));
    expect(outside).toEqual(['.env.example', 'LICENSE', 'README.md', 'bin/otp-app.js', 'package.json']);
    expect(packedFiles.filter((file) => /\.test\.|(^|\/)(src|test|bench)\//.test(file))).toEqual([]);
  });

  it(
    'runs `otp-app serve` from the installed bin, serves the pages and runs the API flow with the client',
    async () => {
      const { key, sha256Hex } = generateApiKey();
      const dataDir = join(work, 'serve-data');
      const server = await startServerProcess({
        executable: join(consumer, 'node_modules/otp-app/bin/otp-app.js'),
        cwd: consumer,
        env: { SMTP_URL: smtp.url, DATA_DIR: dataDir, API_KEY_HASHES: `ci:${sha256Hex}`, NODE_ENV: 'development' },
        readyTimeoutMs: 60_000,
      });
      // The ALTCHA widget's files come from the installed `altcha` package, beside otp-app's own.
      const powFiles = [
        '/static/pow-challenge.js',
        '/static/altcha/altcha.js',
        '/static/altcha/pbkdf2-worker.js',
        '/static/altcha/i18n-de.js',
      ];
      for (const path of ['/secure-otp/request/', '/static/app.css', ...powFiles]) {
        expect((await fetch(new URL(path, server.baseUrl))).status).toBe(200);
      }
      // The compiled server, not the sources: nothing under the checkout's src/ was loaded.
      expect(readdirSync(join(consumer, 'node_modules/otp-app'))).not.toContain('src');

      const sent = resultOf((await run('node', ['client-flow.mjs', 'send', server.baseUrl, key], { cwd: consumer })).stdout);
      expect(sent).toMatchObject({ ok: true, value: { id: expect.any(String) } });
      await smtp.waitForMessages(1);
      const code = latestCodeFor(smtp.messages, 'shop@example.com');
      const checked = resultOf(
        (await run('node', ['client-flow.mjs', 'verify', server.baseUrl, key, code], { cwd: consumer })).stdout,
      );
      expect(checked).toMatchObject({
        ok: true,
        claims: { sub: 'shop@example.com', purpose: 'confirm-action', aud: 'api-key:ci' },
      });
    },
    childProcessTimeoutMs,
  );

  it(
    'imports the library from plain JavaScript and sends a code through it',
    async () => {
      const before = smtp.messages.length;
      const { stdout } = await run('node', ['library.mjs', smtp.url, join(work, 'library-data')], { cwd: consumer });
      expect(resultOf(stdout)).toEqual({ ok: true });
      await smtp.waitForMessages(before + 1);
      expect(latestCodeFor(smtp.messages, 'lib@example.com')).toMatch(/^\d{6}$/);
    },
    childProcessTimeoutMs,
  );

  it(
    'type-checks a TypeScript consumer (moduleResolution nodenext) against the shipped .d.ts files',
    async () => {
      const config = {
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['types-check.ts'],
      };
      writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(config));
      const result = await run('node', [tsc, '-p', consumer], { cwd: consumer }).catch((error: { stdout: string }) => error);
      expect('stdout' in result ? result.stdout : '').toBe('');
      // The check can fail: a wrong type in the consumer is reported.
      writeFileSync(
        join(consumer, 'wrong.ts'),
        "import { createOtpClient } from 'otp-app/client';\nexport const n: number = createOtpClient;\n",
      );
      writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ ...config, files: ['wrong.ts'] }));
      const wrong = await run('node', [tsc, '-p', consumer], { cwd: consumer }).then(
        () => '',
        (error: { stdout: string }) => error.stdout,
      );
      expect(wrong).toContain('wrong.ts');
    },
    childProcessTimeoutMs,
  );
});
