#!/usr/bin/env node
// The `otp-app` command. An installed package runs its compiled code (dist/) with plain Node. A git
// checkout without a build runs the TypeScript sources: tsx (a dev dependency) registers itself as the
// loader for this process, so no build step is needed and signals reach the app itself.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/cli.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/cli.ts');
}
