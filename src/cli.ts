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
  serve     run the web app (pages, dev mailbox outside production)
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
  if (!['serve', 'migrate', 'purge'].includes(command)) {
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

  const runtime = await createOtpRuntime(config, logger);
  const app = await buildApp(runtime, logger);
  await app.listen({ port: config.port, host: config.host });
  if (runtime.devMailbox !== undefined) {
    const address = app.server.address();
    logger.info(
      `No mail transport configured: emails are kept in the dev mailbox at http://${config.host}:${typeof address === "object" && address !== null ? address.port : config.port}/dev/mailbox`,
    );
  }
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return -1;
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
