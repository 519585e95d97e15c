import { readFileSync } from 'node:fs';

/**
 * Summarises a V8 .cpuprofile (from `--cpu-prof`): the functions with the most self time, and self time
 * by package, so a bottleneck shows without opening DevTools. Usage: tsx bench/profile-summary.ts FILE [N]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topText = '25'] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: tsx bench/profile-summary.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
for (const [index, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
const total = [...selfUs.values()].reduce((sum, us) => sum + us, 0);

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  const where = frame.url.replace(/^file:\/\/.*?\/(node_modules\/|src\/|bench\/)/, '$1');
  const key = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const pkg =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1] ??
    (frame.url.includes('/src/') ? 'app src/' : frame.url === '' ? `(${frame.functionName})` : 'node:internal');
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}
const show = (title: string, entries: Map<string, number>, count: number) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
};
// Inclusive time of app and library entry points: a function's own samples plus everything it called.
const inclusiveUs = new Map<number, number>();
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const byInclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    inclusiveUs.set(at, (inclusiveUs.get(at) ?? 0) + us);
    const frame = byId.get(at)!.callFrame;
    if (!/\/(src|bench)\//.test(frame.url) && !/kysely\/dist\/esm\/(kysely|query-builder|query-executor|dialect)/.test(frame.url))
      continue;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*?\/(node_modules\/|src\/)/, '$1')}:${frame.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    byInclusive.set(key, (byInclusive.get(key) ?? 0) + us);
  }
}
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show('self time by package', byPackage, 15);
show('self time by function', byFunction, Number(topText));
show('inclusive time, app code and Kysely entry points', byInclusive, Number(topText));
