import { appEnv, type BenchContext, raisedLimits, startApp, verifyAddressCount, withPeakRss } from './bench-context.js';
import type { BenchDatabase } from './bench-database.js';
import { type FormSession, formBody, formHeaders, openFormSession } from './form-session.js';
import { runHttpLoad } from './http-load.js';
import type { LoadResult } from './load-result.js';
import type { ScaleFinding } from './report.js';
import { ageSeededCodes, countCodes, hasSeededCodes, resetAttempts, seededAddress, seedLiveCodes } from './seed-store.js';
import type { BenchServer } from './server-process.js';

const hourMs = 3600_000;
const sweepIntervalSeconds = 4;

/**
 * verify-miss on a small store, then with `scaleRows` live codes in it; then those codes expired and the
 * sweeper deleting them while verify-miss keeps running, to see what the sweep does to p99.
 */
export async function runScaleScenarios(
  context: BenchContext,
  database: BenchDatabase,
): Promise<{ results: LoadResult[]; findings: ScaleFinding[] }> {
  const { options } = context;
  const rows = options.scaleRows;
  const label = rows >= 1_000_000 ? `${rows / 1_000_000}M` : `${rows / 1000}k`;
  const results: LoadResult[] = [];
  const findings: ScaleFinding[] = [];
  let guess = 0;
  const verifyMiss = (
    server: BenchServer,
    session: FormSession,
    scenario: string,
    stopWhen?: Promise<unknown>,
    durationSeconds = options.durationSeconds,
  ) =>
    withPeakRss(server, () =>
      runHttpLoad({
        scenario,
        database: database.name,
        url: server.baseUrl,
        connections: options.connections,
        durationSeconds,
        method: 'POST',
        path: '/secure-otp/verify/',
        headers: formHeaders(session),
        nextBody: () => formBody(session, { email: seededAddress('vm-', guess++ % verifyAddressCount), code: '000000' }),
        expectedStatus: 422,
        ...(stopWhen === undefined ? {} : { stopWhen }),
      }),
    );

  const server = await startApp(context, appEnv(context, database, raisedLimits), `${database.name}-scale`);
  let small: LoadResult;
  let large: LoadResult;
  try {
    const session = await openFormSession(server.baseUrl);
    const now = Date.now();
    await seedLiveCodes(database, { prefix: 'vm-', count: verifyAddressCount, nowMs: now, expiresAtMs: now + hourMs });
    // Warm up (JIT, caches) first, or the small store's figure would carry the cold start alone.
    await verifyMiss(server, session, 'warm-up', undefined, 2);
    await resetAttempts(database);
    context.log(`${database.name}: verify-miss, ${verifyAddressCount} codes in the store`);
    small = await verifyMiss(server, session, `verify-miss, ${verifyAddressCount / 1000}k codes stored`);
    results.push(small);

    context.log(`${database.name}: seeding ${rows} live codes`);
    const seedStarted = Date.now();
    await seedLiveCodes(database, { prefix: 's-', count: rows, nowMs: Date.now(), expiresAtMs: Date.now() + hourMs });
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    await resetAttempts(database);
    context.log(`${database.name}: verify-miss, ${label} codes in the store`);
    large = await verifyMiss(server, session, `verify-miss, ${label} codes stored`);
    large.note = `store seeded in ${seedSeconds.toFixed(1)} s`;
    results.push(large);
  } finally {
    await server.stop();
  }
  const throughputKept = large.perSecond / small.perSecond;
  const p99Ratio = large.p99Ms / small.p99Ms;
  findings.push({
    database: database.name,
    finding: `verify-miss with ${label} live codes: ${large.perSecond} req/s (${(throughputKept * 100).toFixed(0)}% of the ${small.perSecond} req/s with ${verifyAddressCount / 1000}k), p99 ${large.p99Ms} ms vs ${small.p99Ms} ms (×${p99Ratio.toFixed(2)}); target: within 20%`,
    pass: throughputKept >= 0.8 && p99Ratio <= 1.2,
  });

  // Expire them all (and idle their challenges past the retention), then let a sweeper loose on them.
  await ageSeededCodes(database, 's-', Date.now() - 2 * hourMs);
  await resetAttempts(database);
  const before = await countCodes(database);
  const sweeping = await startApp(
    context,
    appEnv(context, database, { ...raisedLimits, OTP_SWEEP_INTERVAL_SECONDS: String(sweepIntervalSeconds) }),
    `${database.name}-sweep`,
  );
  try {
    const session = await openFormSession(sweeping.baseUrl);
    // Warm up (JIT, caches) before the first sweep starts, so the figure shows the sweep, not a cold start.
    await verifyMiss(sweeping, session, 'warm-up', undefined, 2);
    const started = await until(async () => (await countCodes(database)) < before, 30_000);
    const sweepStartedAt = Date.now();
    context.log(`${database.name}: sweeper running (${started ? 'started' : 'did not start'})`);
    const finished = until(async () => !(await hasSeededCodes(database, 's-')), 300_000);
    const during = await verifyMiss(sweeping, session, `verify-miss during sweep of ${label}`, finished, 300);
    const sweepSeconds = (Date.now() - sweepStartedAt) / 1000;
    const remaining = await countCodes(database);
    during.note = `sweep deleted ${before - remaining} codes (and their challenges) in ~${sweepSeconds.toFixed(1)} s`;
    results.push(during);
    const p99Rise = during.p99Ms / large.p99Ms;
    findings.push({
      database: database.name,
      finding: `sweeper deleting ${label} expired codes in batches took ~${sweepSeconds.toFixed(1)} s; p99 of concurrent verify-miss ${during.p99Ms} ms vs ${large.p99Ms} ms without a sweep (×${p99Rise.toFixed(2)}); target: at most ×2`,
      pass: remaining <= verifyAddressCount && p99Rise <= 2,
    });
  } finally {
    await sweeping.stop();
  }
  return { results, findings };
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}
