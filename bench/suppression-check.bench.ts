/**
 * What the suppression check costs: `npx tsx bench/suppression-check.bench.ts`
 *
 * The request path and the outbox worker each read the suppression list once per code (findSuppression,
 * a primary-key read). This times that read against a list of 10,000 entries, half of the reads hitting
 * an entry and half missing, on SQLite (a temp file) and PostgreSQL (a throw-away schema in
 * BENCH_DATABASE_URL, default the local test database). Loopback only, bounded in count and time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type OtpDatabase, openDatabase, openSqliteDatabase } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { findSuppression } from '../src/store/suppressions.repository.js';

const entries = 10_000;
const reads = 5_000;
const baseUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

setTimeout(() => {
  console.error('suppression bench: gave up after 120 s');
  process.exit(1);
}, 120_000).unref();

async function measure(name: string, db: OtpDatabase): Promise<void> {
  await migrateToLatest(db);
  const nowMs = Date.now();
  for (let start = 0; start < entries; start += 500) {
    const rows = Array.from({ length: 500 }, (_, i) => ({
      mailbox: `user${start + i}@example.com`,
      address: `user${start + i}@example.com`,
      cause: 'bounce' as const,
      diagnostic: '550 5.1.1 user unknown',
      created_at: nowMs,
      expires_at: nowMs + 30 * 86_400_000,
    }));
    await db.insertInto('suppressions').values(rows).execute();
  }
  // Warm-up: statement caches, the pool's connections.
  for (let i = 0; i < 200; i++) await findSuppression(db, `user${i}@example.com`, nowMs);
  const timesMs: number[] = [];
  for (let i = 0; i < reads; i++) {
    // Even reads hit an entry, odd ones miss (a mailbox never suppressed): a request is mostly the latter.
    const mailbox = i % 2 === 0 ? `user${(i * 7919) % entries}@example.com` : `nobody${i}@example.org`;
    const started = performance.now();
    await findSuppression(db, mailbox, nowMs);
    timesMs.push(performance.now() - started);
  }
  timesMs.sort((a, b) => a - b);
  const mean = timesMs.reduce((sum, t) => sum + t, 0) / timesMs.length;
  const p99 = timesMs[Math.floor(timesMs.length * 0.99)]!;
  console.log(
    `${name.padEnd(10)} ${reads} reads of ${entries} entries: mean ${(mean * 1000).toFixed(0)} µs, p99 ${(p99 * 1000).toFixed(0)} µs`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'otp-suppression-bench-'));
const sqlite = openSqliteDatabase(join(dir, 'otp.sqlite'));
try {
  await measure('sqlite', sqlite);
} finally {
  await sqlite.destroy();
  rmSync(dir, { recursive: true, force: true });
}

const schema = `otp_bench_suppression_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
try {
  await admin.connect();
} catch {
  console.log(`postgres   skipped: ${new URL(baseUrl).host} unreachable`);
  process.exit(0);
}
await admin.query(`create schema ${schema}`);
const url = new URL(baseUrl);
url.searchParams.set('options', `-c search_path=${schema}`);
const postgres = openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 5, connectTimeoutMs: 5000 });
try {
  await measure('postgres', postgres);
} finally {
  await postgres.destroy();
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}
