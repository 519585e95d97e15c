import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createOtpRuntime } from './otp-runtime.js';
import { openSqliteDatabase } from './store/database.js';
import { KyselyOtpStore } from './store/kysely-otp-store.js';
import { migrateToLatest } from './store/migrate.js';
import { buildApp } from './web/app.js';

const usage = `Usage: otp-app <command>

Commands:
  serve     run the web app; it also delivers queued mail unless OUTBOX_WORKER=off
  worker    deliver queued mail only (run as many as you like beside the servers)
  outbox    print outbox counts by status and the age of the oldest undelivered email
  migrate   apply pending database migrations and exit
  purge     delete expired, used and dead codes once and exit
  help      show this text

Configuration comes from the environment (and .env when present); see .env.example.`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(usage);
    return 0;
  }
  if (!['serve', 'worker', 'outbox', 'migrate', 'purge'].includes(command)) {
    console.error(`Unknown command "${command}".\n\n${usage}`);
    return 2;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const logger = createLogger(config.logLevel);

  if (command === 'migrate' || command === 'purge') {
    const db = openSqliteDatabase(config.sqliteFile);
    try {
      const applied = await migrateToLatest(db);
      if (command === 'migrate') console.log(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
      else console.log(`Deleted ${await new KyselyOtpStore(db).sweep(Date.now(), 3600_000)} rows.`);
    } finally {
      await db.destroy();
    }
    return 0;
  }

  if (command === 'outbox') {
    const runtime = await createOtpRuntime(config, logger, { runWorker: false });
    try {
      console.log(JSON.stringify(await runtime.outbox.counts(Date.now()), null, 2));
    } finally {
      await runtime.close();
    }
    return 0;
  }

  if (command === 'worker') {
    const runtime = await createOtpRuntime(config, logger, { runWorker: true });
    logger.info({ event: 'outbox.worker_started' }, 'delivering queued mail');
    onShutdownSignal(async (signal) => {
      logger.info({ signal }, 'worker shutting down: finishing sends under way');
      await runtime.close();
    });
    return -1;
  }

  const runtime = await createOtpRuntime(config, logger);
  const app = await buildApp(runtime, logger);
  await app.listen({ port: config.port, host: config.host });
  if (runtime.devMailbox !== undefined) {
    const address = app.server.address();
    logger.info(
      `No mail transport configured: emails are kept in the dev mailbox at http://${config.host}:${typeof address === "object" && address !== null ? address.port : config.port}/dev/mailbox`,
    );
  }
  onShutdownSignal(async (signal) => {
    logger.info({ signal }, 'shutting down: no new requests, finishing sends under way');
    await app.close();
    await runtime.close();
  });
  return -1;
}

/** SIGTERM/SIGINT: run `shutdown` once, then exit 0 (1 if it failed). */
function onShutdownSignal(shutdown: (signal: string) => Promise<void>): void {
  let started = false;
  const handle = (signal: string) => {
    if (started) return;
    started = true;
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handle('SIGTERM'));
  process.on('SIGINT', () => handle('SIGINT'));
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
