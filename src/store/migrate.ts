import { type Kysely, Migrator } from 'kysely';
import { migrationTableSchemaOf } from './dialect.js';
import { migrationProvider } from './migrations/index.js';
import { StoreUnavailableError } from './store-unavailable-error.js';

/** Applies every pending migration; throws with the failing migration's name. Returns the names applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrationTableSchema = await migrationTableSchemaOf(db);
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    // An unreachable database is not a broken migration: keep the type, so callers can say so.
    if (error instanceof StoreUnavailableError) throw error;
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(error)}`, { cause: error });
  }
  return (results ?? []).map((result) => result.migrationName);
}
