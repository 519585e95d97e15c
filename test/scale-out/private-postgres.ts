import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/server-process.js';

const run = promisify(execFile);
const binDir = '/usr/lib/postgresql/15/bin';

/**
 * Whether this machine can run a throw-away PostgreSQL: the server binaries are there and we are root
 * (initdb refuses root, so it runs as the `postgres` user through runuser).
 */
export const canRunPrivatePostgres = existsSync(join(binDir, 'initdb')) && process.getuid?.() === 0;

export interface PrivatePostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (if running) and deletes its files. Safe to call twice. */
  destroy(): Promise<void>;
}

async function asPostgres(command: string, args: string[], timeoutMs = 30_000): Promise<void> {
  await run('runuser', ['-u', 'postgres', '--', join(binDir, command), ...args], { timeout: timeoutMs });
}

/**
 * A PostgreSQL of the test's own, on a free loopback port, to stop and start at will: restarting the
 * shared server would break every other test file running beside this one.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'otp-private-pg-'));
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  let running = false;
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;

  await asPostgres('initdb', ['-D', dataDir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-sync'], 60_000);
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await asPostgres('pg_ctl', ['-D', dataDir, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
      running = true;
    },
    async stop() {
      // Fast: active sessions are cut off mid-query, as in a real restart or failover.
      await asPostgres('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await pg.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await pg.start();
  } catch (error) {
    await pg.destroy();
    throw error;
  }
  return pg;
}
