import pg from 'pg';

/** The databases the integration suite runs on. */
export type TestDialect = 'sqlite' | 'postgres';

/** The PostgreSQL the suite uses; each test app gets a schema of its own in it (see postgres-test-schema.ts). */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Whether the PostgreSQL suite runs. With CI=true an unreachable database fails the run instead of skipping it. */
export const postgresAvailable = await answers(testDatabaseUrl);

if (!postgresAvailable) {
  const where = new URL(testDatabaseUrl).host;
  if (process.env.CI === 'true') {
    throw new Error(
      `PostgreSQL at ${where} (TEST_DATABASE_URL) is unreachable, and CI=true: the PostgreSQL suite must run in CI.`,
    );
  }
  console.warn(
    `\n⚠  PostgreSQL at ${where} (TEST_DATABASE_URL) is unreachable: the PostgreSQL suite is SKIPPED. Start it to run it.\n`,
  );
}

/**
 * Every dialect to run a suite on: `describe.each(dialects)('… (%s)', (dialect) => …)` and
 * `startTestApp({ dialect })`. SQLite always; PostgreSQL when reachable.
 */
export const dialects: readonly TestDialect[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];
