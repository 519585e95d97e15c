import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const sources = [
  ...readdirSync(new URL('../../src/web/views/', import.meta.url)).map((file) => `src/web/views/${file}`),
  ...readdirSync(new URL('../../src/web/routes/', import.meta.url)).map((file) => `src/web/routes/${file}`),
  'src/web/error-handler.ts',
  'src/web/outcome-messages.ts',
  'src/mail/code-email-template.ts',
  'src/mail/code-email-wording.ts',
];

/** Words written straight into markup (`>Verify<`) or into a quoted sentence, instead of coming from the catalogue. */
function hardCodedText(source: string): string[] {
  // Text right after an HTML tag (`<p>`, `<a href="…">`), on one line and free of code punctuation, so
  // TypeScript generics (`Promise<void> {`) are not mistaken for markup.
  const betweenTags = [...source.matchAll(/<[a-z][a-z0-9]*(?:\s[^<>]*)?>([^<>`$\n;{}=()]*[A-Za-z]{2,}[^<>`$\n;{}=()]*)</g)].map(
    (match) => match[1]!.trim(),
  );
  const sentences = [...source.matchAll(/'([A-Z][a-z]+(?: [a-z]+){2,}[^']*)'/g)].map((match) => match[1]!);
  return [...betweenTags, ...sentences].filter((text) => text !== '');
}

describe('text shown to a person comes from the catalogue', () => {
  it.each(sources.filter((file) => file.endsWith('.ts')))('%s writes no words of its own', (file) => {
    const source = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')
      // Comments may say anything.
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    expect(hardCodedText(source)).toEqual([]);
  });
});
