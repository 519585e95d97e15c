import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type OtpDatabase, openDatabase, openSqliteDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { TestDialect } from '../support/dialects.js';
import { createPostgresTestSchema, type PostgresTestSchema } from '../support/postgres-test-schema.js';

/**
 * The databases the core harness hands out, one empty database per test on either dialect.
 *
 * SQLite: a fresh file per test (a migrated file costs a few milliseconds).
 * PostgreSQL: one schema per test file, migrated once, emptied with DELETE at the start of each test.
 * A schema per test would pay CREATE SCHEMA and four migrations every time; TRUNCATE fsyncs new files
 * for every table (~80 ms a test here), while deleting the few rows a test leaves costs one commit
 * (~5 ms). Unique addresses per test would not isolate anything: the outbox worker and the assertions
 * read whole tables.
 */

export interface FreshDatabase {
  db: OtpDatabase;
  /** The SQLite file, or '' on PostgreSQL. */
  filename: string;
  /** What another process passes to openAnotherHandle: the SQLite file, or the PostgreSQL URL of the schema. */
  location: string;
}

const openHandles: { db: OtpDatabase; dir?: string }[] = [];

interface PostgresOfThisFile {
  schema: PostgresTestSchema;
  db: OtpDatabase;
  tables: string[];
}

let postgresOfThisFile: Promise<PostgresOfThisFile> | undefined;
let postgresHandedOut = false;

async function openPostgresOfThisFile(): Promise<PostgresOfThisFile> {
  const schema = await createPostgresTestSchema();
  // Ten connections, as the runtime's default pool: racing verifies really run side by side.
  const db = openDatabase({ kind: 'postgres', url: schema.url, poolSize: 10, connectTimeoutMs: 10_000 });
  await migrateToLatest(db);
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely\\_%'`.execute(db);
  return { schema, db, tables: rows.map((row) => row.name) };
}

async function emptyPostgresDatabase(): Promise<FreshDatabase> {
  // Emptying the one schema twice in a test would wipe what the first service wrote: share it instead.
  if (postgresHandedOut) throw new Error('one PostgreSQL database per test: pass `db` in the wiring to share it');
  postgresHandedOut = true;
  postgresOfThisFile ??= openPostgresOfThisFile();
  const { db, schema, tables } = await postgresOfThisFile;
  await db.transaction().execute(async (trx) => {
    for (const table of tables) await sql`delete from ${sql.table(table)}`.execute(trx);
  });
  return { db, filename: '', location: schema.url };
}

/** An empty, migrated database of the dialect; let destroyOpenDatabases close it after the test. */
export async function openFreshDatabase(dialect: TestDialect = 'sqlite'): Promise<FreshDatabase> {
  if (dialect === 'postgres') return emptyPostgresDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'otp-core-'));
  const filename = join(dir, 'otp.sqlite');
  const db = openSqliteDatabase(filename);
  openHandles.push({ db, dir });
  await migrateToLatest(db);
  return { db, filename, location: filename };
}

/** A second handle on an existing database (a FreshDatabase's `location`): what a second process would hold. */
export function openAnotherHandle(location: string): OtpDatabase {
  const db = location.startsWith('postgres://')
    ? openDatabase({ kind: 'postgres', url: location, poolSize: 5, connectTimeoutMs: 10_000 })
    : openSqliteDatabase(location);
  openHandles.push({ db });
  return db;
}

/** Call from afterEach: closes every handle opened by this test and removes its files. */
export async function destroyOpenDatabases(): Promise<void> {
  postgresHandedOut = false;
  const opened = openHandles.splice(0);
  for (const { db } of opened) await db.destroy();
  for (const { dir } of opened) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

/** Call from afterAll in a file that ran on PostgreSQL: closes its pool and drops its schema. */
export async function dropPostgresOfThisFile(): Promise<void> {
  const opened = postgresOfThisFile;
  postgresOfThisFile = undefined;
  if (opened === undefined) return;
  const { db, schema } = await opened;
  await db.destroy();
  await schema.drop();
}
