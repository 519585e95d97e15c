import type { TestApp } from './test-app.js';

/** DATABASE_URL for a second app on the same database as `testApp` (its SQLite file or PostgreSQL schema). */
export function sameDatabaseEnv(testApp: TestApp): { DATABASE_URL: string } {
  if (testApp.postgresSchema !== undefined) return { DATABASE_URL: testApp.postgresSchema.url };
  return { DATABASE_URL: `sqlite:${testApp.config.sqliteFile}` };
}
