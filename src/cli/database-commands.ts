import type { Config } from '../config/config.js';
import { type OtpDatabase, openDatabase } from '../store/database.js';
import { KyselyOutboxStore } from '../store/kysely-outbox-store.js';
import { migrateToLatest } from '../store/migrate.js';
import { counterRetentionOf, sweepOnce, sweepRetentionMs } from '../store/sweeper.js';

async function withDatabase<T>(config: Readonly<Config>, work: (db: OtpDatabase) => Promise<T>): Promise<T> {
  const db = openDatabase(config.database);
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/** `migrate`: applies pending migrations, on SQLite or PostgreSQL alike. */
export function migrateCommand(config: Readonly<Config>): Promise<number> {
  return withDatabase(config, async (db) => {
    const applied = await migrateToLatest(db);
    console.log(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
    return 0;
  });
}

/** `purge`: one sweep, as the running app does every minute. */
export function purgeCommand(config: Readonly<Config>): Promise<number> {
  return withDatabase(config, async (db) => {
    if (config.autoMigrate) await migrateToLatest(db);
    // As the app sweeps: finished codes of the pressure window stay, or a purge would read as pumping.
    const retention = { ...counterRetentionOf(config.policy), finishedCodesMs: config.challenge.pressureWindowSeconds * 1000 };
    console.log(`Deleted ${await sweepOnce(db, Date.now(), sweepRetentionMs(config.policy), retention)} rows.`);
    return 0;
  });
}

/** `outbox`: counts by status and the age of the oldest undelivered email, as JSON. */
export function outboxCommand(config: Readonly<Config>): Promise<number> {
  return withDatabase(config, async (db) => {
    if (config.autoMigrate) await migrateToLatest(db);
    console.log(JSON.stringify(await new KyselyOutboxStore(db).counts(Date.now()), null, 2));
    return 0;
  });
}
