import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testSecretKey } from './test-app.js';

const bin = fileURLToPath(new URL('../../bin/otp-app.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `otp-app` bin as an operator would, in a clean environment plus `env`, in `cwd`. */
export function otpApp(args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd,
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? '', HOME: cwd, NODE_ENV: 'test', SECRET_KEY: testSecretKey, LOG_LEVEL: 'warn', ...env },
      },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}
