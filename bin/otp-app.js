#!/usr/bin/env node
// The `otp-app` command. An installed package has no src/ (see `files` in package.json) and runs its
// compiled code with plain Node. A git checkout runs its TypeScript sources, so a stale dist/ from an
// earlier build never shadows them: tsx (a dev dependency) registers itself as the loader for this
// process, so signals reach the app itself, not a wrapper.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/cli.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/cli.js', import.meta.url).href);
}
