import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../../src/client/index.ts', import.meta.url));

/** Every module the client loads at run time (type-only imports are erased), with the packages it names. */
function runtimeImports(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const specifiers = [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map(
    (match) => match[1]!,
  );
  seen.set(
    file,
    specifiers.filter((specifier) => !specifier.startsWith('.')),
  );
  for (const specifier of specifiers.filter((s) => s.startsWith('.'))) {
    runtimeImports(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')), seen);
  }
  return seen;
}

describe('otp-app/client runs outside Node', () => {
  it('loads no node: module and no package but jose and zod', () => {
    const graph = runtimeImports(entry);
    expect(graph.size).toBeGreaterThan(3);
    const packages = new Set([...graph.values()].flat());
    expect([...packages].sort()).toEqual(['jose', 'zod']);
  });
});
