import type { Database as BetterSqliteDatabase, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * Kysely's SQLite driver calls `prepare` for every query it runs, and preparing (parsing and planning
 * the SQL) cost more than running the statement itself: it was the largest single item in a CPU profile
 * of the verify route. The store's queries are parameterised, so a few dozen SQL texts cover them all;
 * this keeps their prepared statements and hands them out again.
 *
 * Reuse is safe because better-sqlite3 runs each statement to completion synchronously, and Kysely's
 * one-connection mutex keeps a streaming query from interleaving with another use of the same statement.
 */
export function withStatementCache(database: BetterSqliteDatabase, maxStatements = 500): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        // Bounded: an `in (…)` list of varying length makes a new text each time; drop the oldest.
        if (statements.size >= maxStatements) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
