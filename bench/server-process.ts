import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
// `node --import tsx <file>`: the measured PID is the server itself, not a wrapper around it.
const tsxLoader = import.meta.resolve('tsx');

export interface BenchServer {
  baseUrl: string;
  pid: number;
  /** Forget the peak so far (Linux: /proc/PID/clear_refs), so the next reading is this scenario's. */
  resetPeakRss(): void;
  /** Peak resident set size since the last reset, in MB (VmHWM). */
  peakRssMb(): number;
  /** CPU time the server process has used so far (user + system), in seconds: steadier than req/s on a busy machine. */
  cpuSeconds(): number;
  /** SIGTERM and wait for a clean exit (a --cpu-prof profile is written then). */
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  /** `worker`: `cli/cli.js worker`, the outbox delivering on its own (no HTTP); ready once it logs that it started. */
  kind: 'app' | 'worker' | 'baseline';
  env: Record<string, string>;
  /** Run the app compiled here (see build-server.ts) by plain node; unset: from the sources through tsx. */
  compiledDir?: string;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeFlags?: string[];
  /** Where stdout/stderr go: a file, so the bench process spends no CPU reading the server's logs. */
  logFile: string;
}

// USER_HZ: 100 on every Linux that matters here.
const clockTicksPerSecond = 100;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/**
 * The node flags `npm run start:prod` runs the server with (e.g. a smaller young generation, which keeps
 * RSS under load down), read from package.json so the bench measures the server as production runs it.
 */
export function productionNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (manifest.scripts['start:prod'] ?? '').split(/\s+/);
  return words.slice(words.indexOf('node') + 1).filter((word) => word.startsWith('--'));
}

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const port = await freePort();
  const command = options.kind === 'worker' ? 'worker' : 'serve';
  const script =
    options.kind === 'baseline'
      ? ['bench/baseline-server.mjs']
      : options.compiledDir !== undefined
        ? [join(options.compiledDir, 'cli', 'cli.js'), command]
        : ['--import', tsxLoader, 'src/cli/cli.ts', command];
  const log = openSync(options.logFile, 'a');
  const flags = [...(options.kind === 'baseline' ? [] : productionNodeFlags()), ...(options.nodeFlags ?? [])];
  const child = spawn(process.execPath, [...flags, ...script], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? repoRoot,
      ...options.env,
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  if (options.kind === 'worker') await waitForLogLine(child, 'outbox.worker_started', options.logFile);
  else await waitUntilAnswering(child, `${baseUrl}${options.kind === 'app' ? '/healthz' : '/'}`, options.logFile);
  const pid = child.pid!;
  return {
    baseUrl,
    pid,
    resetPeakRss() {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // Not Linux, or not allowed: the peak then covers the whole process life.
      }
    },
    peakRssMb() {
      try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        return kb === undefined ? Number.NaN : Math.round(Number(kb) / 102.4) / 10;
      } catch {
        return Number.NaN;
      }
    },
    cpuSeconds() {
      try {
        // Fields after the command name (which may hold spaces, hence the split at ')'); utime and stime are 14 and 15.
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').at(-1)!.trim().split(' ');
        return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
      } catch {
        return Number.NaN;
      }
    },
    async stop() {
      child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

async function waitUntilAnswering(child: ChildProcess, url: string, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}); see ${logFile}:\n${tail(logFile)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server not answering ${url} within 30 s; see ${logFile}:\n${tail(logFile)}`);
}

async function waitForLogLine(child: ChildProcess, text: string, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`worker exited (${child.exitCode}); see ${logFile}:\n${tail(logFile)}`);
    if (readFileSync(logFile, 'utf8').includes(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`worker did not log "${text}" within 30 s; see ${logFile}:\n${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}
