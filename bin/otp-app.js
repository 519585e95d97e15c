#!/usr/bin/env node
// The `otp-app` command. It runs the TypeScript sources directly: tsx registers itself as the loader for
// this process (no build step, and signals reach the app itself, not a wrapper process).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/cli.ts');
