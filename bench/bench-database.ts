import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { openSqliteDatabase } from '../src/store/database.js';
import type { Database } from '../src/store/schema.js';

/** The bench's own connection to the database under test: seeding, resetting counters, watching the sweep. */
export interface BenchDatabase {
  name: 'sqlite' | 'postgres';
  /** For the server's environment. */
  databaseUrl: string;
  db: Kysely<Database>;
  /** What the figures depend on: journal mode and synchronous for SQLite, version and fsync for PostgreSQL. */
  settings(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export function openBenchSqlite(file: string): BenchDatabase {
  const db = openSqliteDatabase(file);
  return {
    name: 'sqlite',
    databaseUrl: `sqlite:${file}`,
    db,
    async settings() {
      // Opened by the app's own function, so these are the pragmas the server runs with.
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
      const synchronous = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
      const names = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
      return {
        journal_mode: journal.rows[0]?.journal_mode ?? '?',
        synchronous: names[synchronous.rows[0]?.synchronous ?? -1] ?? '?',
      };
    },
    close: () => db.destroy(),
  };
}

/**
 * A fresh database `otp_bench` on the server that `adminUrl` reaches (dropped and recreated), so the
 * bench never touches real data. Returns null when PostgreSQL cannot be reached.
 */
export async function openBenchPostgres(adminUrl: string): Promise<BenchDatabase | null> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  try {
    await admin.query('drop database if exists otp_bench with (force)');
    await admin.query('create database otp_bench');
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = '/otp_bench';
  const databaseUrl = url.toString();
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 2 }) }),
  });
  return {
    name: 'postgres',
    databaseUrl,
    db,
    async settings() {
      const version = await sql<{ server_version: string }>`show server_version`.execute(db);
      const fsync = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db);
      return {
        server_version: version.rows[0]?.server_version ?? '?',
        synchronous_commit: fsync.rows[0]?.synchronous_commit ?? '?',
      };
    },
    close: () => db.destroy(),
  };
}
