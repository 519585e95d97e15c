import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { smtpOptionsFor } from '../src/mail/smtp-transport.js';
import { type BenchContext, type BenchOptions, benchTempDir, raisedLimits, withPeakRss } from './bench-context.js';
import { type BenchDatabase, openBenchPostgres, openBenchSqlite } from './bench-database.js';
import { runBounceScenarios } from './bounce-scenarios.js';
import { buildServer } from './build-server.js';
import { runFailoverScenario } from './failover-scenarios.js';
import { runHttpLoad } from './http-load.js';
import { runLimitScenarios } from './limit-scenarios.js';
import type { LoadResult } from './load-result.js';
import { type BenchReport, markdownReport } from './report.js';
import { runScaleScenarios } from './scale-scenarios.js';
import { productionNodeFlags, startBenchServer } from './server-process.js';
import { startSmtpSink } from './smtp-sink.js';
import { runThroughputScenarios } from './throughput-scenarios.js';

const usage = `npm run bench -- [options]
  --quick              3 s per scenario, 100k codes for the scale runs (about 2 minutes)
  --postgres           also run on PostgreSQL, in a database otp_bench that the bench drops and creates
  --postgres-url=URL   where, as a role that may create databases (default: DATABASE_URL if it is
                       postgres://…, else postgres://postgres@127.0.0.1:5432/postgres)
  --only=LIST          comma-separated: throughput, limits, scale, bounces, failover (default: all)
  --cpu-prof           write a V8 CPU profile of every server process to bench/results/profiles/
  --log-level=LEVEL    the server's LOG_LEVEL (default warn: no line per request)
  --connections=N      concurrent connections (default 32)
  --from-source        run the server through tsx instead of compiling it first (as production runs it)`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
    'postgres-url': { type: 'string' },
    only: { type: 'string', default: 'throughput,limits,scale,bounces,failover' },
    'cpu-prof': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
    connections: { type: 'string', default: '32' },
    'from-source': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  allowNegative: false,
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const postgresWanted = values.postgres || values['postgres-url'] !== undefined;
const postgresUrl =
  values['postgres-url'] ??
  (process.env.DATABASE_URL?.startsWith('postgres') === true
    ? process.env.DATABASE_URL
    : 'postgres://postgres@127.0.0.1:5432/postgres');

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const runId = new Date().toISOString().replace(/[:.]/g, '-').toLowerCase();
const options: BenchOptions = {
  quick: values.quick,
  connections: Number(values.connections),
  durationSeconds: values.quick ? 3 : 10,
  scaleRows: values.quick ? 100_000 : 1_000_000,
  logLevel: values['log-level'],
  resultsDir,
  runId,
  ...(values['cpu-prof'] ? { cpuProfileDir: join(resultsDir, 'profiles') } : {}),
  ...(values['from-source'] ? {} : { compiledDir: join(resultsDir, 'dist') }),
};
const only = new Set(values.only.split(','));

async function main(): Promise<void> {
  if (options.compiledDir !== undefined) {
    console.error('[bench] compiling the server (tsc -p tsconfig.build.json)…');
    await buildServer(options.compiledDir);
  }
  const sink = await startSmtpSink();
  const context: BenchContext = {
    options,
    sink,
    log: (message) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`),
  };
  const cpu = cpus();
  const pool = smtpOptionsFor({ smtpUrl: sink.url });
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: {
      cpus: cpu[0]?.model.trim() ?? 'unknown CPU',
      cores: cpu.length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      node: process.version,
    },
    settings: {
      smtp: {
        pooled: String(pool.pool),
        maxConnections: String(pool.maxConnections),
        sink: 'local smtp-server on 127.0.0.1, no TLS',
      },
      server: {
        run:
          options.compiledDir === undefined
            ? `node ${productionNodeFlags().join(' ')} --import tsx src/cli/cli.ts serve`
            : `node ${productionNodeFlags().join(' ')} dist/cli/cli.js serve (compiled by the bench, as npm run start:prod)`,
        NODE_ENV: 'test',
        LOG_LEVEL: options.logLevel,
        ...raisedLimits,
      },
    },
    notes: [
      `Server, load generator (autocannon, in the bench process) and SMTP sink share this machine's ${cpu.length} cores; free memory at start ${Math.round(freemem() / 2 ** 20)} MB.`,
      `Throughput scenarios raise the limits (${Object.entries(raisedLimits)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}); the limits section runs with the defaults.`,
      'request: a new address per request (303 = queued). verify-miss: a wrong code for an address with a live code (422), through the page (form POST with CSRF, HTML answer) and through the JSON API (bearer key, problem+json). flow: request → code read at the SMTP sink → verify (303), closed loop per connection.',
      "Peak RSS is the server process's VmHWM, reset before each scenario.",
    ],
    results: [],
    scale: [],
    limits: [],
  };

  const measureBaseline = async (when: string) => {
    context.log(`baseline: bare node:http (${when})`);
    const server = await startBenchServer({ kind: 'baseline', env: {}, logFile: join(resultsDir, `${runId}-baseline.log`) });
    try {
      return await withPeakRss(server, () =>
        runHttpLoad({
          scenario: `baseline node:http (${when})`,
          database: '-',
          url: server.baseUrl,
          connections: options.connections,
          durationSeconds: options.durationSeconds,
          path: '/',
          expectedStatus: 200,
        }),
      );
    } finally {
      await server.stop();
    }
  };
  // Measured before and after the app's scenarios; the ratios use the mean, so a machine that got busier
  // (or quieter) during the run shows in the two rows instead of skewing every ratio one way.
  const baselineFirst = await measureBaseline('start');
  report.results.push(baselineFirst);

  const databases: Array<() => Promise<BenchDatabase | null>> = [
    async () => openBenchSqlite(join(benchTempDir('otp-bench-'), 'otp.sqlite')),
  ];
  if (postgresWanted) databases.push(() => openBenchPostgres(postgresUrl));

  for (const open of databases) {
    let database = await open();
    if (database === null) {
      report.notes.push(`PostgreSQL at ${redact(postgresUrl)} was not reachable: skipped.`);
      continue;
    }
    const name = database.name;
    report.settings[name] = await database.settings();
    try {
      if (only.has('throughput') || only.has('limits') || only.has('bounces')) {
        if (!(await serverUsesDatabase(context, database))) {
          report.notes.push(
            `${database.name}: the server did not write to this database (DATABASE_URL not supported by this build yet): skipped.`,
          );
          continue;
        }
      }
      if (only.has('throughput')) report.results.push(...(await runThroughputScenarios(context, database)));
      if (only.has('limits')) report.limits.push(...(await runLimitScenarios(context, database)));
      if (only.has('bounces')) report.results.push(...(await runBounceScenarios(context, database)));
      if (only.has('scale')) {
        await database.close();
        database = await open();
        if (database === null) continue;
        const scale = await runScaleScenarios(context, database);
        report.results.push(...scale.results);
        report.scale.push(...scale.findings);
      }
    } catch (error) {
      report.notes.push(`${name}: the run failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      context.log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } finally {
      await database?.close();
    }
  }
  if (only.has('failover')) {
    try {
      report.failover = await runFailoverScenario(context);
    } catch (error) {
      report.notes.push(`failover: the run failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  await sink.close();
  const baselineLast = await measureBaseline('end');
  report.results.push(baselineLast);

  const baselinePerSecond = (baselineFirst.perSecond + baselineLast.perSecond) / 2;
  for (const result of report.results) result.ofBaseline = result.perSecond / baselinePerSecond;
  report.notes.push(`"of baseline" divides by the mean of the two baseline runs: ${baselinePerSecond.toFixed(0)} req/s.`);
  // A scenario answered mostly with something else (a 429 from a limit the run forgot to raise, say) did
  // not measure what its name says; say so loudly instead of printing a small number.
  for (const result of report.results) {
    const answered = Object.values(result.statusCounts).reduce((sum, n) => sum + n, 0);
    if (result.errors > answered / 100) {
      report.notes.push(
        `**INVALID: ${result.database} ${result.scenario}** — ${result.errors} unexpected answers (${JSON.stringify(result.statusCounts)}).`,
      );
      process.exitCode = 1;
    }
  }
  const file = join(resultsDir, `bench-${runId}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(markdownReport(report));
  context.log(`JSON: ${file}`);
}

/** A request through the server, then a look in the bench's own connection: did it land there? */
async function serverUsesDatabase(context: BenchContext, database: BenchDatabase): Promise<boolean> {
  const { appEnv, startApp } = await import('./bench-context.js');
  const { formBody, formHeaders, openFormSession } = await import('./form-session.js');
  let server: Awaited<ReturnType<typeof startApp>>;
  try {
    server = await startApp(context, appEnv(context, database, {}), `${database.name}-probe`);
  } catch (error) {
    context.log(`${database.name}: the server did not start: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
  try {
    const session = await openFormSession(server.baseUrl);
    const address = `probe-${runId}@bench.example`;
    await fetch(`${server.baseUrl}/secure-otp/request/`, {
      method: 'POST',
      headers: formHeaders(session),
      body: formBody(session, { email: address }),
      redirect: 'manual',
    });
    const row = await database.db.selectFrom('otp_challenges').select('id').where('address', '=', address).executeTakeFirst();
    return row !== undefined;
  } catch {
    return false;
  } finally {
    await server.stop();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

export type { LoadResult };

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
