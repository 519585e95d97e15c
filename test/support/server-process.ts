import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { testSecretKey } from './test-app.js';

const cliPath = fileURLToPath(new URL('../../src/cli/cli.ts', import.meta.url));
// `node --import <tsx>` runs the CLI in this very process: a signal sent to it reaches the server itself,
// not a wrapper (`npx tsx` would fork, and SIGKILL to the wrapper would orphan the real server).
const tsxLoader = import.meta.resolve('tsx');

export interface ServerProcessOptions {
  /** Environment for the app on top of a clean base (PATH, HOME, NODE_ENV=test, SECRET_KEY, HOST). */
  env: Record<string, string>;
  /** @default 'serve' */
  command?: 'serve' | 'worker' | 'bounces';
  /** Working directory; the CLI reads `.env` from here, so a temp dir keeps the repo's out. */
  cwd: string;
  /** How long to wait for the first HTTP answer (serve) or the start log line (worker, bounces). @default 20000 */
  readyTimeoutMs?: number;
  /** The program to run instead of the TypeScript sources, e.g. an installed package's `otp-app` bin. */
  executable?: string;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  /** `http://127.0.0.1:PORT` for `serve`. */
  baseUrl: string;
  pid: number;
  /** Everything the process wrote so far, stdout and stderr interleaved: for failure messages. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<ExitResult>;
  /** Sends `signal` and waits (at most `timeoutMs`) for the exit; rejects if it does not come. */
  signalAndWait(signal: NodeJS.Signals, timeoutMs?: number): Promise<ExitResult>;
}

const running = new Set<ChildProcess>();

/** A free loopback TCP port, found by binding port 0 and closing again. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/**
 * Runs `src/cli/cli.ts` as a real child process and waits until it is ready. Always pair with
 * `killServerProcesses()` in afterEach, so a failed test leaves no server behind.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const command = options.command ?? 'serve';
  const port = options.env.PORT ?? String(await freePort());
  const entry = options.executable === undefined ? ['--import', tsxLoader, cliPath] : [options.executable];
  const child = spawn(process.execPath, [...entry, command], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? options.cwd,
      NODE_ENV: 'test',
      SECRET_KEY: testSecretKey,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      // Tests send bursts to example.com: paced at the default, they would wait minutes. Pacing runs
      // (its statements on every send) at a rate no test reaches; test/outbox/domain-pacing.test.ts paces.
      OUTBOX_DOMAIN_RATE_PER_MINUTE: '60000',
      // Every test client is 127.0.0.1 and few tests verify what they request: the challenge's pressure
      // would switch on in any test that posts a dozen forms. Its own tests set these (test/web/challenge-*).
      OTP_PRESSURE_NETWORK_REQUESTS: '0',
      OTP_PRESSURE_DOMAIN_REQUESTS: '0',
      OTP_PRESSURE_VOLUME_FLOOR: '10000000',
      ...options.env,
      PORT: port,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<ExitResult>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const startLine = command === 'bounces' ? 'bounce.receiver_started' : 'outbox.worker_started';
  const ready = command === 'serve' ? () => answersHttp(baseUrl) : async () => output.includes(startLine);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  let exit: ExitResult | undefined;
  void exited.then((result) => (exit = result));
  while (!(await ready())) {
    if (exit !== undefined) throw new Error(`server exited early (${JSON.stringify(exit)}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready within ${options.readyTimeoutMs ?? 20_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    baseUrl,
    pid: child.pid!,
    output: () => output,
    exited,
    async signalAndWait(signal, timeoutMs = 15_000) {
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no exit within ${timeoutMs} ms after ${signal}:\n${output}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** SIGKILLs every server process still running and waits for them to go. For afterEach. */
export async function killServerProcesses(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

async function answersHttp(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}
