/**
 * Outbox benchmark: `npx tsx bench/outbox.bench.ts`
 *
 * (a) Delivery throughput: N emails queued with no worker running, then a worker runtime started and
 *     timed until a local SMTP sink has accepted all N (pooled connections, one per OUTBOX_CONCURRENCY).
 * (b) Code-request latency over HTTP (form POST with CSRF → 303), with the in-process worker delivering
 *     to a sink that holds every message 500 ms, beside the same with a 0 ms sink, in alternating rounds.
 *
 * Loopback only, bounded in count and time. Limits are raised so the benchmark measures the code path,
 * not the refusals: OTP_IP_REQUEST_LIMIT=1000000, OTP_SEND_LIMIT=10000, and every request uses its own address.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/ops/logger.js';
import { openOtpRuntime } from '../src/runtime/otp-runtime.js';
import { buildApp } from '../src/web/app.js';

const queuedEmails = 1000;
const poolSizes = [5, 10];
const httpRequestsPerRound = 100;
const httpWarmupPerRound = 20;
const httpConcurrency = 8;
// A B B A A B: rounds alternate so that a drift in background load hits both sink delays alike.
const roundSinkDelaysMs = [0, 500, 500, 0, 0, 500];
const limitEnv = {
  OTP_IP_REQUEST_LIMIT: '1000000',
  OTP_SEND_LIMIT: '10000',
  // Every address is at example.com, every client the one load generator.
  OTP_DOMAIN_REQUEST_LIMIT: '10000000',
  OTP_LARGE_PROVIDER_REQUEST_LIMIT: '10000000',
  OTP_SUBNET_REQUEST_LIMIT: '1000000',
  OUTBOX_DOMAIN_RATE_PER_MINUTE: '60000',
  // Thousands of codes nobody verifies from one client: the challenge would switch on.
  OTP_PRESSURE_NETWORK_REQUESTS: '0',
  OTP_PRESSURE_DOMAIN_REQUESTS: '0',
  OTP_PRESSURE_VOLUME_FLOOR: '10000000',
};
const secretKey = 'bench-secret-key-0123456789abcdef-0123456789abcdef';
const logger = createLogger('silent');
const loadAverageAtStart = loadavg()[0]!.toFixed(1);

setTimeout(() => {
  console.error('outbox bench: gave up after 240 s');
  process.exit(1);
}, 240_000).unref();

interface Sink {
  url: string;
  accepted(): number;
  recipients: Set<string>;
  waitFor(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A real SMTP server that reads and discards each message, answering 250 after `delayMs`. */
async function startSink(delayMs: number): Promise<Sink> {
  let accepted = 0;
  const recipients = new Set<string>();
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    closeTimeout: 100,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () =>
        setTimeout(() => {
          accepted++;
          for (const recipient of session.envelope.rcptTo) recipients.add(recipient.address);
          callback();
        }, delayMs),
      );
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('sink has no port');
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    accepted: () => accepted,
    recipients,
    async waitFor(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (accepted < count) {
        if (Date.now() > deadline) throw new Error(`sink got ${accepted} of ${count} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function configFor(dataDir: string, env: Record<string, string>) {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SECRET_KEY: secretKey,
    LOG_LEVEL: 'silent',
    OUTBOX_POLL_INTERVAL_MS: '50',
    ...limitEnv,
    ...env,
  });
}

async function measureDelivery(poolSize: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'otp-bench-outbox-'));
  const sink = await startSink(0);
  try {
    const env = { SMTP_URL: sink.url, OUTBOX_CONCURRENCY: String(poolSize) };
    const queueing = await openOtpRuntime(configFor(dataDir, { ...env, OUTBOX_WORKER: 'off' }), logger, { runWorker: false });
    for (let start = 0; start < queuedEmails; start += 100) {
      const batch = Array.from(
        { length: Math.min(100, queuedEmails - start) },
        (_, i) => `pool${poolSize}-${start + i}@example.com`,
      );
      const outcomes = await Promise.all(batch.map((address) => queueing.service.request({ address })));
      if (!outcomes.every((outcome) => outcome.ok)) throw new Error('a request was refused while queueing');
    }
    await queueing.close();

    const startedAt = performance.now();
    const worker = await openOtpRuntime(configFor(dataDir, env), logger, { runWorker: true });
    await sink.waitFor(queuedEmails, 120_000);
    const seconds = (performance.now() - startedAt) / 1000;
    const counts = await worker.outbox.counts(Date.now());
    await worker.close();
    if (sink.recipients.size !== queuedEmails)
      throw new Error(`expected ${queuedEmails} distinct recipients, got ${sink.recipients.size}`);
    return { poolSize, emails: queuedEmails, seconds, emailsPerSecond: queuedEmails / seconds, sentRowsAtEnd: counts.sent };
  } finally {
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A browser-like client for the request form: loads it once for the CSRF cookie and token. */
async function formSession(baseUrl: string) {
  const response = await fetch(`${baseUrl}/secure-otp/request/`);
  const body = await response.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  if (token === undefined) throw new Error('no CSRF token on the request form');
  const cookie = response.headers
    .getSetCookie()
    .map((setCookie) => setCookie.split(';')[0])
    .join('; ');
  return async function requestCode(address: string): Promise<number> {
    const startedAt = performance.now();
    const reply = await fetch(`${baseUrl}/secure-otp/request/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: token, email: address }).toString(),
      redirect: 'manual',
    });
    await reply.arrayBuffer();
    if (reply.status !== 303) throw new Error(`request for ${address} answered ${reply.status}`);
    return performance.now() - startedAt;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measureRequestRound(sinkDelayMs: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'otp-bench-latency-'));
  const sink = await startSink(sinkDelayMs);
  const runtime = await openOtpRuntime(configFor(dataDir, { SMTP_URL: sink.url }), logger);
  const app = await buildApp(runtime, logger);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const baseUrl = `http://127.0.0.1:${address.port}`;
    const sessions = await Promise.all(Array.from({ length: httpConcurrency }, () => formSession(baseUrl)));

    let next = 0;
    const latencies: number[] = [];
    const total = httpWarmupPerRound + httpRequestsPerRound;
    const startedAt = performance.now();
    let measuredFrom = startedAt;
    await Promise.all(
      sessions.map(async (requestCode) => {
        for (let i = next++; i < total; i = next++) {
          if (i === httpWarmupPerRound) measuredFrom = performance.now();
          const ms = await requestCode(`latency${sinkDelayMs}-${i}@example.com`);
          if (i >= httpWarmupPerRound) latencies.push(ms);
        }
      }),
    );
    const seconds = (performance.now() - measuredFrom) / 1000;
    const deliveredDuringRun = sink.accepted();
    // Then let the worker catch up (bounded): with 500 ms per message the pool of 5 manages ~10 emails/s.
    const drainStartedAt = performance.now();
    await sink.waitFor(total, 30_000);
    const drainSeconds = (performance.now() - drainStartedAt) / 1000;
    return { latencies, seconds, deliveredDuringRun, queued: total, drainSeconds };
  } finally {
    await app.close();
    await runtime.close();
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

const delivery: Array<Awaited<ReturnType<typeof measureDelivery>>> = [];
for (const poolSize of poolSizes) delivery.push(await measureDelivery(poolSize));
const rounds: Array<{ sinkDelayMs: number } & Awaited<ReturnType<typeof measureRequestRound>>> = [];
for (const sinkDelayMs of roundSinkDelaysMs) rounds.push({ sinkDelayMs, ...(await measureRequestRound(sinkDelayMs)) });
const latency = [...new Set(roundSinkDelaysMs)].map((sinkDelayMs) => {
  const mine = rounds.filter((round) => round.sinkDelayMs === sinkDelayMs);
  const latencies = mine.flatMap((round) => round.latencies).sort((a, b) => a - b);
  const seconds = mine.reduce((sum, round) => sum + round.seconds, 0);
  return {
    sinkDelayMs,
    rounds: mine.length,
    requests: latencies.length,
    concurrency: httpConcurrency,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1)!,
    requestsPerSecond: latencies.length / seconds,
    emailsDeliveredDuringRun: mine.reduce((sum, round) => sum + round.deliveredDuringRun, 0),
    emailsQueued: mine.reduce((sum, round) => sum + round.queued, 0),
    drainSecondsPerRound: mine.map((round) => Number(round.drainSeconds.toFixed(2))),
  };
});

const lines = [
  `## Outbox benchmark (node ${process.version}, ${cpus().length} CPUs, load average ${loadAverageAtStart} at start / ${loadavg()[0]!.toFixed(1)} at end, loopback, SQLite file)`,
  '',
  `Limits raised for the run: OTP_IP_REQUEST_LIMIT=${limitEnv.OTP_IP_REQUEST_LIMIT}, OTP_SEND_LIMIT=${limitEnv.OTP_SEND_LIMIT}; every request uses a distinct address.`,
  '',
  '### (a) Delivery from the outbox to a local SMTP sink (0 ms), pooled connections',
  '',
  '| pooled connections (OUTBOX_CONCURRENCY) | emails | seconds | emails/s |',
  '|---:|---:|---:|---:|',
  ...delivery.map((row) => `| ${row.poolSize} | ${row.emails} | ${fixed(row.seconds, 2)} | ${fixed(row.emailsPerSecond)} |`),
  '',
  `### (b) Code request over HTTP (form POST → 303): per sink delay ${roundSinkDelaysMs.length / 2} rounds (A B B A A B) of ${httpRequestsPerRound} requests after ${httpWarmupPerRound} warm-up, ${httpConcurrency} at a time`,
  '',
  '| SMTP sink delay per message | p50 ms | p99 ms | max ms | requests/s | emails accepted while requests ran | s to deliver the rest, per round |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  ...latency.map(
    (row) =>
      `| ${row.sinkDelayMs} ms | ${fixed(row.p50Ms, 2)} | ${fixed(row.p99Ms, 2)} | ${fixed(row.maxMs, 2)} | ${fixed(row.requestsPerSecond)} | ${row.emailsDeliveredDuringRun} of ${row.emailsQueued} | ${row.drainSecondsPerRound.join(' / ')} |`,
  ),
  '',
  'A request only commits the code and its sealed email; the worker delivers afterwards. So the request latency does',
  'not follow the sink delay, while delivery does (every email of every round was delivered before the next round).',
];
console.log(lines.join('\n'));

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const resultsFile = new URL('outbox.json', resultsDir);
writeFileSync(
  resultsFile,
  `${JSON.stringify({ node: process.version, at: new Date().toISOString(), cpus: cpus().length, loadAverageAtStart: Number(loadAverageAtStart), limits: limitEnv, delivery, latency }, null, 2)}\n`,
);
console.log(`\nJSON: ${resultsFile.pathname}`);
process.exit(0);
