import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchDatabase } from './bench-database.js';
import type { LoadResult } from './load-result.js';
import { type BenchServer, startBenchServer } from './server-process.js';
import type { SmtpSink } from './smtp-sink.js';

export interface BenchOptions {
  quick: boolean;
  connections: number;
  /** Seconds per throughput scenario. */
  durationSeconds: number;
  /** Codes in the store for the scale runs. */
  scaleRows: number;
  logLevel: string;
  cpuProfileDir?: string;
  /** The compiled app (bench/results/dist); unset: run from the sources through tsx. */
  compiledDir?: string;
  resultsDir: string;
  runId: string;
}

export interface BenchContext {
  options: BenchOptions;
  sink: SmtpSink;
  log(message: string): void;
}

export const benchSecretKey = 'bench-secret-key-0123456789abcdef-0123456789abcdef';

/** The bearer key the bench's API scenarios present; the server is given its SHA-256 (API_KEY_HASHES). */
export const benchApiKey = 'bench-api-key-0123456789abcdef0123456789abcdef';

/** The addresses verify-miss guesses at; enough that none runs out of attempts within one scenario. */
export const verifyAddressCount = 20_000;

/**
 * Throughput runs lift the limits that would otherwise answer 429 to a single load generator: per-IP
 * requests and verifies, per-API-key calls, per-address sends and failures, and attempts per code (to its
 * maximum, 20), the per-network and per-recipient-domain limits, and the challenge's pressure thresholds.
 */
export const raisedLimits = {
  API_REQUEST_LIMIT: '10000000',
  OTP_IP_REQUEST_LIMIT: '1000000',
  OTP_IP_VERIFY_LIMIT: '1000000',
  OTP_SEND_LIMIT: '10000',
  OTP_MAX_ATTEMPTS: '20',
  OTP_ADDRESS_FAILURE_LIMIT: '100',
  OTP_DAILY_SEND_LIMIT: '10000',
  // Every bench address is at bench.example, and every client is the load generator's one network.
  OTP_DOMAIN_REQUEST_LIMIT: '10000000',
  OTP_LARGE_PROVIDER_REQUEST_LIMIT: '10000000',
  OTP_SUBNET_REQUEST_LIMIT: '1000000',
  OTP_SUBNET_VERIFY_LIMIT: '1000000',
  // One load generator mails example.com only: pacing (its statement still runs per send) must not be the limit.
  OUTBOX_DOMAIN_RATE_PER_MINUTE: '60000',
  // One load generator on one network asking for codes nobody verifies is exactly what the adaptive
  // challenge's pressure looks for: its counters still run per request; the challenge never fires.
  OTP_PRESSURE_NETWORK_REQUESTS: '0',
  OTP_PRESSURE_DOMAIN_REQUESTS: '0',
  OTP_PRESSURE_VOLUME_FLOOR: '10000000',
} as const;

const tempDirs: string[] = [];

/** A fresh folder in the OS temp folder, removed when the bench process exits (however the run ends). */
export function benchTempDir(prefix: string): string {
  if (tempDirs.length === 0) {
    process.once('exit', () => {
      for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function appEnv(context: BenchContext, database: BenchDatabase, extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'test',
    SECRET_KEY: benchSecretKey,
    DATA_DIR: benchTempDir('otp-bench-data-'),
    DATABASE_URL: database.databaseUrl,
    SMTP_URL: context.sink.url,
    LOG_LEVEL: context.options.logLevel,
    OTP_SWEEP_INTERVAL_SECONDS: '86400',
    API_KEY_HASHES: `bench:${createHash('sha256').update(benchApiKey).digest('hex')}`,
    ...extra,
  };
}

export function startApp(context: BenchContext, env: Record<string, string>, label: string): Promise<BenchServer> {
  const { cpuProfileDir, resultsDir, runId } = context.options;
  return startBenchServer({
    kind: 'app',
    ...(context.options.compiledDir === undefined ? {} : { compiledDir: context.options.compiledDir }),
    env,
    // One profile per thread (V8 names them CPU.<date>.<pid>.<thread>…); the server's is the largest.
    nodeFlags: cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(cpuProfileDir, `${runId}-${label}`)}`],
    logFile: join(resultsDir, `${runId}-${label}.log`),
  });
}

/** Runs `measure` with the server's peak RSS reset before and read after, and its CPU time counted. */
export async function withPeakRss(
  server: BenchServer,
  measure: () => Promise<Omit<LoadResult, 'peakRssMb' | 'cpuMsPerRequest'>>,
): Promise<LoadResult> {
  server.resetPeakRss();
  const cpuBefore = server.cpuSeconds();
  const result = await measure();
  const answered = Object.values(result.statusCounts).reduce((sum, count) => sum + count, 0);
  const flows = result.scenario === 'flow' ? result.perSecond * result.durationSeconds : answered;
  const cpuMsPerRequest = Math.round(((server.cpuSeconds() - cpuBefore) * 1000 * 100) / Math.max(1, flows)) / 100;
  return { ...result, peakRssMb: server.peakRssMb(), cpuMsPerRequest };
}
