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

/**
 * A fresh, empty schema in the test database, so test files running in parallel (and several runs on
 * one machine) never see each other's rows. Always `drop()` it in afterEach/afterAll.
 */
export async function createPostgresTestSchema(baseUrl = testDatabaseUrl): Promise<PostgresTestSchema> {
  const name = `otp_test_${randomBytes(6).toString('hex')}`;
  await run(baseUrl, `create schema ${name}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    url: url.toString(),
    drop: () => run(baseUrl, `drop schema if exists ${name} cascade`),
  };
}
