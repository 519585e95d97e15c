import { execFile } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Compiles the app as `npm run build` does, into `outDir` (inside the repository, so the compiled files
 * find node_modules). The bench measures this build run by plain `node`: what production runs, without
 * the ~40 MB and the start-up work of a TypeScript loader.
 */
export async function buildServer(outDir: string): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: repoRoot });
  } catch (error) {
    // tsc still emits on type errors; measure what it emitted, but say so.
    if (!existsSync(join(outDir, 'cli', 'cli.js')))
      throw new Error(`the build failed:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
    console.error(`[bench] warning: the build has type errors:\n${(error as { stdout?: string }).stdout ?? ''}`);
  }
  cpSync(join(repoRoot, 'src/web/static'), join(outDir, 'web/static'), { recursive: true });
}
