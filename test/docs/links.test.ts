import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const docsDir = join(repoRoot, 'docs');
const markdownFiles = [
  join(repoRoot, 'README.md'),
  ...readdirSync(docsDir)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(docsDir, name)),
];

/** The text outside fenced code blocks: a `[x](y)` inside an example is not a link. */
function proseOf(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, '');
}

/** GitHub's anchor for a heading: lower-cased, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of proseOf(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = (heading ?? '')
      .toLowerCase()
      .replace(/[^\p{Letter}\p{Number}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Inline links `[text](target)` and angle-bracket autolinks `<target>` in the prose. */
function linksOf(markdown: string): string[] {
  const prose = proseOf(markdown).replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1] as string);
  const auto = [...prose.matchAll(/<([a-z][a-z0-9+.-]*:[^>\s]+)>/gi)].map((match) => match[1] as string);
  return [...inline, ...auto];
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

describe('the README and docs/', () => {
  it.each(markdownFiles.map((file) => [relative(repoRoot, file), file]))('%s: every relative link resolves', (_name, file) => {
    const broken: string[] = [];
    for (const target of linksOf(readFileSync(file, 'utf8'))) {
      if (isExternal(target)) continue;
      const [path = '', anchor] = target.split('#', 2);
      const targetFile = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      if (!existsSync(targetFile)) {
        broken.push(`${target} (no such file)`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!statSync(targetFile).isFile() || !anchorsOf(readFileSync(targetFile, 'utf8')).has(anchor)) {
        broken.push(`${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('links every page of docs/ from the README, the front door', () => {
    const readmeLinks = new Set(linksOf(readFileSync(join(repoRoot, 'README.md'), 'utf8')).map((link) => link.split('#')[0]));
    const unlinked = markdownFiles
      .filter((file) => file.startsWith(docsDir))
      .map((file) => relative(repoRoot, file))
      .filter((path) => !readmeLinks.has(path));
    expect(unlinked).toEqual([]);
  });

  it('keeps the two commands in the README', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it('finds a broken link and a missing heading (the checker itself)', () => {
    expect(linksOf('[a](docs/x.md#y) `[b](c.md)` <https://example.com>\n```\n[d](e.md)\n```\n')).toEqual([
      'docs/x.md#y',
      'https://example.com',
    ]);
    expect(anchorsOf('# Delivery: the outbox\n## JSON API\n## JSON API\n```\n# not a heading\n```\n')).toEqual(
      new Set(['delivery-the-outbox', 'json-api', 'json-api-1']),
    );
  });
});
