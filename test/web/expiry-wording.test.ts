import { describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { verifyPage } from '../../src/web/views/verify-page.js';
import { textOf } from '../support/form-client.js';

const expiresAt = new Date(Date.UTC(2026, 0, 1, 17, 58));

function renderVerifyPage(locale: 'en' | 'de', expiresInSeconds: number) {
  return verifyPage({
    locale,
    paths: pagePaths(),
    csrfToken: 'token',
    email: 'anna@example.com',
    code: '',
    codeLength: 6,
    expiresAt,
    expiresInSeconds,
  }).value;
}

describe('the expiry on the verify page', () => {
  it.each([
    ['en', 300, 'The code expires in 5 minutes.'],
    ['en', 299, 'The code expires in 4 minutes.'],
    ['en', 45, 'The code expires in 45 seconds.'],
    ['de', 300, 'Der Code läuft in 5 Minuten ab.'],
    ['de', 60, 'Der Code läuft in 1 Minute ab.'],
  ] as const)('says it relative to now, never longer than it is (%s, %i s)', (locale, seconds, sentence) => {
    const page = renderVerifyPage(locale, seconds);
    const paragraph = /<p class="hint expiry">(.*?)<template/.exec(page)?.[1];
    expect(paragraph).toBe(sentence);
  });

  it('holds the clock-time sentence in a template for the script, with no time of the server’s zone in it', () => {
    const page = renderVerifyPage('de', 300);
    const template = /<template data-local-expiry>(.*?)<\/template>/.exec(page)?.[1] ?? '';
    expect(template).toBe(`Der Code läuft um <time datetime="${expiresAt.toISOString()}" data-local-time></time> ab.`);
    expect(textOf(page)).not.toMatch(/\d\d:\d\d/);
  });
});
