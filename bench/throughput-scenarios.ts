import { join } from 'node:path';
import {
  appEnv,
  type BenchContext,
  benchApiKey,
  raisedLimits,
  startApp,
  verifyAddressCount,
  withPeakRss,
} from './bench-context.js';
import type { BenchDatabase } from './bench-database.js';
import { type FlowLoadOptions, runFlowLoad } from './flow-load.js';
import { type FormSession, formBody, formHeaders, openFormSession } from './form-session.js';
import { runHttpLoad } from './http-load.js';
import type { LoadResult } from './load-result.js';
import { benchApiFlowKey, resetAttempts, seededAddress, seedLiveCodes } from './seed-store.js';
import { startBenchServer } from './server-process.js';

/** request, verify-miss and flow against one server with raised limits. */
export async function runThroughputScenarios(context: BenchContext, database: BenchDatabase): Promise<LoadResult[]> {
  const { options, sink } = context;
  const server = await startApp(context, appEnv(context, database, raisedLimits), `${database.name}-throughput`);
  const results: LoadResult[] = [];
  try {
    const session = await openFormSession(server.baseUrl);
    const now = Date.now();
    await seedLiveCodes(database, { prefix: 'vm-', count: verifyAddressCount, nowMs: now, expiresAtMs: now + 3600_000 });
    const apiSeed = { prefix: 'va-', count: verifyAddressCount, flowKey: benchApiFlowKey };
    await seedLiveCodes(database, { ...apiSeed, nowMs: now, expiresAtMs: now + 3600_000 });
    const common = {
      database: database.name,
      url: server.baseUrl,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
    };

    // Warm up (JIT, caches, connections) so the first scenario does not carry the cold start alone.
    let warmUp = 0;
    await runHttpLoad({
      ...common,
      durationSeconds: 2,
      scenario: 'warm-up',
      method: 'POST',
      path: '/secure-otp/verify/',
      headers: formHeaders(session),
      nextBody: () => formBody(session, { email: seededAddress('vm-', warmUp++ % verifyAddressCount), code: '000000' }),
      expectedStatus: 422,
    });

    context.log(`${database.name}: request`);
    await sink.settle();
    const mailBefore = sink.received;
    let requested = 0;
    const request = await withPeakRss(server, () =>
      runHttpLoad({
        ...common,
        scenario: 'request',
        method: 'POST',
        path: '/secure-otp/request/',
        headers: formHeaders(session),
        nextBody: () => formBody(session, { email: `req-${options.runId}-${requested++}@bench.example` }),
        expectedStatus: 303,
      }),
    );
    // Every accepted request must become exactly one email; wait for the outbox to drain before going on.
    const accepted = request.statusCounts['303'] ?? 0;
    const drainStarted = Date.now();
    const delivered = (await sink.waitForTotal(mailBefore + accepted, 120_000)) - mailBefore;
    request.note = `${delivered}/${accepted} emails delivered, outbox drained ${((Date.now() - drainStarted) / 1000).toFixed(1)} s after the run`;
    results.push(request);

    context.log(`${database.name}: verify-miss`);
    await resetAttempts(database);
    let guess = 0;
    results.push(
      await withPeakRss(server, () =>
        runHttpLoad({
          ...common,
          scenario: 'verify-miss',
          method: 'POST',
          path: '/secure-otp/verify/',
          headers: formHeaders(session),
          // Round robin over addresses that each hold a live code; the seeded hash matches no code.
          nextBody: () => formBody(session, { email: seededAddress('vm-', guess++ % verifyAddressCount), code: '000000' }),
          expectedStatus: 422,
        }),
      ),
    );

    // The same wrong guesses through the JSON API (what a back end integrating otp-app calls): no CSRF
    // check, no HTML to render; a bearer key checked and a problem+json answer instead.
    context.log(`${database.name}: verify-miss through the JSON API`);
    await resetAttempts(database);
    results.push(
      await withPeakRss(server, () =>
        runHttpLoad({
          ...common,
          scenario: 'verify-miss, JSON API',
          method: 'POST',
          path: '/api/v1/otp/verify',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${benchApiKey}` },
          nextBody: () => JSON.stringify({ email: seededAddress('va-', guess++ % verifyAddressCount), code: '000000' }),
          expectedStatus: 422,
        }),
      ),
    );

    context.log(`${database.name}: flow`);
    results.push(
      await withPeakRss(server, () => runFlowLoad(flowLoadOptions(context, database, server.baseUrl, session, options.runId))),
    );
  } finally {
    await server.stop();
  }
  results.push(await runSplitFlow(context, database));
  return results;
}

/**
 * The flow again, deployed the other supported way: the server with OUTBOX_WORKER=off and a separate
 * `otp-app worker` process delivering the mail, so HTTP and SMTP each get a core. CPU and RSS are the
 * two processes' together; the worker polls every 20 ms, since nothing wakes it across processes.
 */
async function runSplitFlow(context: BenchContext, database: BenchDatabase): Promise<LoadResult> {
  const { options } = context;
  const env = appEnv(context, database, { ...raisedLimits, OUTBOX_WORKER: 'off' });
  const server = await startApp(context, env, `${database.name}-split-server`);
  const worker = await startBenchServer({
    kind: 'worker',
    ...(options.compiledDir === undefined ? {} : { compiledDir: options.compiledDir }),
    // Info, for the line that says it started; the server keeps the run's level.
    env: { ...env, OUTBOX_WORKER: 'in-process', OUTBOX_POLL_INTERVAL_MS: '20', LOG_LEVEL: 'info' },
    logFile: join(options.resultsDir, `${options.runId}-${database.name}-split-worker.log`),
  });
  try {
    context.log(`${database.name}: flow, outbox in a worker process of its own`);
    const session = await openFormSession(server.baseUrl);
    server.resetPeakRss();
    worker.resetPeakRss();
    const cpuBefore = server.cpuSeconds() + worker.cpuSeconds();
    const result = await runFlowLoad(flowLoadOptions(context, database, server.baseUrl, session, `${options.runId}-split`));
    const flows = Math.max(1, result.perSecond * result.durationSeconds);
    const cpuMs = (server.cpuSeconds() + worker.cpuSeconds() - cpuBefore) * 1000;
    return {
      ...result,
      scenario: 'flow, separate worker process',
      peakRssMb: Math.round((server.peakRssMb() + worker.peakRssMb()) * 10) / 10,
      cpuMsPerRequest: Math.round((cpuMs * 100) / flows) / 100,
      note: `flows/s; server + worker process together (server peak RSS ${server.peakRssMb()} MB, worker ${worker.peakRssMb()} MB)`,
    };
  } finally {
    await server.stop();
    await worker.stop();
  }
}

/** The closed-loop flow against `baseUrl` at the run's connections and duration; `runId` keeps its addresses apart. */
function flowLoadOptions(
  context: BenchContext,
  database: BenchDatabase,
  baseUrl: string,
  session: FormSession,
  runId: string,
): FlowLoadOptions {
  const { options, sink } = context;
  return {
    database: database.name,
    baseUrl,
    session,
    sink,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    runId,
  };
}
