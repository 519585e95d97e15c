import { type Kysely, PostgresAdapter, type SelectQueryBuilder, sql } from 'kysely';

/**
 * The few places where SQLite and PostgreSQL need different SQL. Everything else in the store is
 * plain Kysely that both engines run as written.
 */
export type DialectName = 'sqlite' | 'postgres';

export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Locks the rows a claim is about to take. On PostgreSQL, `FOR UPDATE SKIP LOCKED`: a worker passes
 * over rows another worker is claiming instead of waiting for them, and, once the lock is taken, the
 * row is re-read, so a row that was claimed meanwhile drops out. SQLite has one writer at a time and no
 * row locks, so the plain subquery is already exclusive there.
 */
export function lockedForClaim<DB, TB extends keyof DB, O>(
  db: Kysely<any>,
  query: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return dialectOf(db) === 'postgres' ? query.forUpdate().skipLocked() : query;
}

/**
 * The schema Kysely's migration bookkeeping tables belong in: on PostgreSQL the connection's current
 * schema (the first of its `search_path`). Left unset, Kysely would take a `kysely_migration` table in
 * any other schema of the database for ours and skip creating it.
 */
export async function migrationTableSchemaOf(db: Kysely<any>): Promise<string | undefined> {
  if (dialectOf(db) !== 'postgres') return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema;
}
