import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSqliteCheckpointer } from '../../src/store/sqlite-checkpointer.js';

describe('the SQLite checkpoint thread', () => {
  const opened: SqliteDatabase.Database[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const db of opened.splice(0)) if (db.open) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function openWal(): { db: SqliteDatabase.Database; file: string } {
    const dir = mkdtempSync(join(tmpdir(), 'otp-checkpoint-'));
    dirs.push(dir);
    const file = join(dir, 'otp.sqlite');
    const db = new SqliteDatabase(file);
    opened.push(db);
    db.pragma('journal_mode = WAL');
    db.exec('create table t (id integer primary key, body text not null)');
    return { db, file };
  }

  function writeRows(db: SqliteDatabase.Database, count: number): void {
    const insert = db.prepare('insert into t (body) values (?)');
    // One commit per row, as requests commit: each appends to the write-ahead log.
    for (let i = 0; i < count; i++) insert.run('x'.repeat(500));
  }

  it('copies committed pages into the database file while the app connection never checkpoints', async () => {
    const { db, file } = openWal();
    const checkpointer = startSqliteCheckpointer(db, { intervalMs: 20 });
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      const before = statSync(file).size;
      writeRows(db, 3000);
      // Only a checkpoint writes to the main file; with the connection's own turned off, the thread did it.
      await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before + 1_000_000), { timeout: 5000 });
    } finally {
      checkpointer.stop();
    }
  });

  it('starts the log again from the beginning instead of letting it grow without bound', async () => {
    const { db, file } = openWal();
    const checkpointer = startSqliteCheckpointer(db, { intervalMs: 20, restartAfterFrames: 200 });
    try {
      // Writes in bursts with pauses, as load comes: a writer restarts the log once a checkpoint caught up.
      for (let burst = 0; burst < 10; burst++) {
        writeRows(db, 200);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      // 2000 commits of a 500-byte row each add at least one 4 KiB frame: a log never started again would
      // hold them all, over 8 MB. Bounded, it holds about a burst or two.
      expect(statSync(`${file}-wal`).size).toBeLessThan(5_000_000);
    } finally {
      checkpointer.stop();
    }
  });

  it('hands checkpoints back to the connection when stopped', () => {
    const { db } = openWal();
    const checkpointer = startSqliteCheckpointer(db);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    checkpointer.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
