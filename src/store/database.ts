import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { openPostgresDatabase } from './postgres-database.js';
import type { Database } from './schema.js';
import { startSqliteCheckpointer } from './sqlite-checkpointer.js';
import { withStatementCache } from './sqlite-statement-cache.js';

/** Where the codes live: the embedded SQLite file, or a PostgreSQL server shared by several app processes. */
export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | {
      kind: 'postgres';
      /** The `postgres://` URL as given; it may hold a password, so never log it. */
      url: string;
      /** Connections each process keeps at most. */
      poolSize: number;
      /** Longest wait for a connection before a request gets "temporarily unavailable". */
      connectTimeoutMs: number;
    };

export type OtpDatabase = Kysely<Database>;

/** SQLite page cache of the app's connection, in KiB (see openSqliteDatabase). */
const pageCacheKiB = 4096;

/**
 * Opens the embedded SQLite database. WAL lets readers run beside the one writer; the busy timeout makes
 * a second process wait for the write lock instead of failing at once.
 */
export function openSqliteDatabase(filename: string): OtpDatabase {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const sqlite = new SqliteDatabase(filename);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  // better-sqlite3 builds SQLite with a 16 MB page cache per connection; it filled up under load and was
  // the largest block of the process's malloc heap (26 MB). Pages beyond it come from the OS file cache.
  sqlite.pragma(`cache_size = -${pageCacheKiB}`);
  sqlite.pragma('foreign_keys = ON');
  // Wiped outbox bodies (sealed, but still) are overwritten on disk rather than left in free pages.
  sqlite.pragma('secure_delete = ON');
  // Checkpoints run in a thread of their own, not inside a request's commit (see sqlite-checkpointer.ts).
  const checkpointer = filename === ':memory:' ? undefined : startSqliteCheckpointer(sqlite);
  const database = withStatementCache(sqlite);
  const closeDatabase = database.close.bind(database);
  database.close = () => {
    checkpointer?.stop();
    closeDatabase();
  };
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

export interface OpenDatabaseOptions {
  /** Told when an idle PostgreSQL connection breaks; the pool replaces it by itself. */
  onIdleConnectionError?: (error: Error) => void;
}

/** Opens the database the configuration names: the embedded SQLite file or a PostgreSQL pool. */
export function openDatabase(config: DatabaseConfig, options: OpenDatabaseOptions = {}): OtpDatabase {
  if (config.kind === 'sqlite') return openSqliteDatabase(config.file);
  return openPostgresDatabase({ ...config, ...options });
}
