import { type Kysely, Migrator, sql } from 'kysely';
import { StoreUnavailableError } from '../core/store-unavailable-error.js';
import { migrationTableSchemaOf } from './dialect.js';
import { migrationProvider } from './migrations/index.js';

/** The migrator over this build's migrations, with its bookkeeping table where migrateToLatest keeps it. */
async function migratorFor(db: Kysely<any>): Promise<Migrator> {
  const migrationTableSchema = await migrationTableSchemaOf(db);
  return new Migrator({
    db,
    provider: migrationProvider,
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
}

/** Applies every pending migration; throws with the failing migration's name. Returns the names applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await (await migratorFor(db)).migrateToLatest();
  if (error !== undefined) {
    // An unreachable database is not a broken migration: keep the type, so callers can say so.
    if (error instanceof StoreUnavailableError) throw error;
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(error)}`, { cause: error });
  }
  return (results ?? []).map((result) => result.migrationName);
}

/**
 * Whether the database answers and has every migration of this build applied (for /readyz). Rejects
 * when the database cannot be reached.
 */
export async function schemaStatus(db: Kysely<any>): Promise<'current' | 'pending'> {
  await sql`select 1`.execute(db);
  const known = await (await migratorFor(db)).getMigrations();
  return known.every((migration) => migration.executedAt !== undefined) ? 'current' : 'pending';
}
