import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl } from './dialects.js';

export interface PostgresTestSchema {
  name: string;
  /** The database URL with `options=-c search_path=<name>`: every pooled connection lands in the schema. */
  url: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

async function run(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A schema older than this belongs to a test process that was killed before it could drop it. */
const abandonedAfterMs = 3600_000;
let leftoversSwept: Promise<void> | undefined;

/**
 * Drops the schemas of test processes that were killed (SIGKILL, a crashed worker) before their
 * afterEach ran: names carry their creation time, and no test run lasts an hour. Names from before
 * times were added (`otp_test_` and 12 hex digits) are leftovers too.
 */
async function sweepLeftoverSchemas(baseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    // The server's clock, not Date.now(): a test file that fakes the date (a day ahead, say) must not
    // take every other file's live schema for a leftover.
    const { rows } = await client.query<{ name: string; now_ms: string }>(
      "select nspname as name, (extract(epoch from now()) * 1000)::bigint as now_ms from pg_namespace where nspname like 'otp\\_test\\_%'",
    );
    for (const { name, now_ms: nowMs } of rows) {
      const created = /^otp_test_(\d+)_[0-9a-f]+$/.exec(name)?.[1];
      const legacy = /^otp_test_[0-9a-f]{12}$/.test(name);
      if (legacy || (created !== undefined && Number(nowMs) - Number(created) * 1000 > abandonedAfterMs)) {
        await client.query(`drop schema if exists ${name} cascade`);
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty schema in the test database, so test files running in parallel (and several runs on
 * one machine) never see each other's rows. Always `drop()` it in afterEach/afterAll.
 */
export async function createPostgresTestSchema(baseUrl = testDatabaseUrl): Promise<PostgresTestSchema> {
  leftoversSwept ??= sweepLeftoverSchemas(baseUrl).catch(() => {});
  await leftoversSwept;
  const name = `otp_test_${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`;
  await run(baseUrl, `create schema ${name}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    url: url.toString(),
    drop: () => run(baseUrl, `drop schema if exists ${name} cascade`),
  };
}
