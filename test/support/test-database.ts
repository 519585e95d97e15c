import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OtpDatabase, openDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import type { TestDialect } from './dialects.js';
import { createPostgresTestSchema } from './postgres-test-schema.js';

export interface TestDatabase {
  db: OtpDatabase;
  /** Closes the connection(s) and deletes the SQLite file or drops the PostgreSQL schema. */
  close(): Promise<void>;
}

/**
 * A migrated, empty database of the given dialect, for store tests that need no web app:
 * `describe.each(dialects)('… (%s)', (dialect) => { beforeEach(async () => (testDb = await openTestDatabase(dialect))) … })`.
 */
export async function openTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === 'postgres') {
    const schema = await createPostgresTestSchema();
    const db = openDatabase({ kind: 'postgres', url: schema.url, poolSize: 10, connectTimeoutMs: 10_000 });
    await migrateToLatest(db);
    return {
      db,
      async close() {
        await db.destroy();
        await schema.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'otp-test-db-'));
  const db = openDatabase({ kind: 'sqlite', file: join(dir, 'otp.sqlite') });
  await migrateToLatest(db);
  return {
    db,
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
