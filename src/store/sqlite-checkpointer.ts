import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database as BetterSqliteDatabase } from 'better-sqlite3';

export interface SqliteCheckpointerOptions {
  /** How often the thread copies the write-ahead log into the database file. @default 250 */
  intervalMs?: number;
  /**
   * A log longer than this many pages (4 KiB each) is checkpointed with RESTART, so that it starts again
   * from the beginning instead of growing: under steady writes a PASSIVE checkpoint never quite catches
   * up, and the log grew past 1 GB in a 10 s request run without it. RESTART holds off the app's writes
   * while it finishes, and the app's connection waits in SQLite's busy handler (1, 2, 5, 10… ms sleeps on
   * the event loop): at 8000 pages it ran several times a second under load and doubled the p99 of
   * concurrent verifies during a large sweep (×2.3; ×1.1–1.3 at 32768). The price is a log file of up
   * to ≈130–160 MB. @default 32768 (128 MiB)
   */
  restartAfterFrames?: number;
}

export interface SqliteCheckpointer {
  /** Stops the thread; the connection's own automatic checkpoints take over again. */
  stop(): void;
}

// The thread's whole program. Plain CommonJS evaluated as a string, so that it runs the same under tsx,
// under Vitest and from dist/, with no second entry file to build or resolve.
const checkpointThreadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (result.log > workerData.restartAfterFrames) db.pragma('wal_checkpoint(RESTART)');
  } catch (error) {
    // Busy or locked: the next tick tries again.
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  process.exit(0);
});
`;

const defaultAutocheckpointPages = 1000;

/**
 * Moves SQLite's checkpoints (copying the write-ahead log into the database file, then fsync) off the
 * event loop. By default the connection that commits does a checkpoint every 1000 pages of log, inside
 * that commit: the fsync of a few megabytes blocked every request for milliseconds, and cost the
 * request route about a third of its throughput. Here a worker thread with a connection of its own
 * checkpoints every `intervalMs` instead, and the app's connection stops checkpointing while the thread
 * runs. Durability is unchanged: a commit is durable in the log (synchronous=NORMAL), the checkpoint only
 * moves pages, and a crash mid-checkpoint is recovered from the log as before.
 *
 * If the thread cannot start or dies, the connection checkpoints by itself again, as before.
 */
export function startSqliteCheckpointer(
  database: BetterSqliteDatabase,
  options: SqliteCheckpointerOptions = {},
): SqliteCheckpointer {
  const resumeOwnCheckpoints = () => {
    if (database.open) database.pragma(`wal_autocheckpoint = ${defaultAutocheckpointPages}`);
  };
  let worker: Worker;
  try {
    worker = new Worker(checkpointThreadSource, {
      eval: true,
      workerData: {
        file: database.name,
        driverPath: createRequire(import.meta.url).resolve('better-sqlite3'),
        intervalMs: options.intervalMs ?? 250,
        restartAfterFrames: options.restartAfterFrames ?? 32768,
      },
    });
  } catch {
    // No thread (e.g. the process may not start one): the connection keeps checkpointing by itself.
    return { stop() {} };
  }
  // Never what keeps the process alive.
  worker.unref();
  database.pragma('wal_autocheckpoint = 0');
  let stopped = false;
  worker.once('error', () => {});
  worker.once('exit', () => {
    if (!stopped) resumeOwnCheckpoints();
  });
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
      resumeOwnCheckpoints();
    },
  };
}
