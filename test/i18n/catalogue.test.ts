import { describe, expect, it } from 'vitest';
import { catalogues, placeholdersOf, resolveLocale, supportedLocales, translate, translatePlural } from '../../src/i18n/index.js';

const english = catalogues.en;

describe('the message catalogue', () => {
  it.each(supportedLocales)('%s has exactly the keys English has', (locale) => {
    expect(Object.keys(catalogues[locale]).sort()).toEqual(Object.keys(english).sort());
  });

  it.each(supportedLocales)('%s leaves no message empty', (locale) => {
    const empty = Object.entries(catalogues[locale]).filter(([, message]) => message.trim() === '');
    expect(empty).toEqual([]);
  });

  it.each(supportedLocales)('%s uses the same placeholders as English in every message', (locale) => {
    const mismatched = Object.entries(english)
      .filter(
        ([key, message]) =>
          placeholdersOf(catalogues[locale][key as keyof typeof english]).join() !== placeholdersOf(message).join(),
      )
      .map(([key]) => key);
    expect(mismatched).toEqual([]);
  });

  it('has both plural forms of every plural message', () => {
    const keys = Object.keys(english);
    for (const key of keys.filter((k) => k.endsWith('_one'))) expect(keys).toContain(key.replace(/_one$/, '_other'));
    for (const key of keys.filter((k) => k.endsWith('_other'))) expect(keys).toContain(key.replace(/_other$/, '_one'));
  });

  it('really translates: German differs from English except for names and units', () => {
    const same = Object.keys(english).filter(
      (key) => catalogues.de[key as keyof typeof english] === english[key as keyof typeof english],
    );
    expect(same.sort()).toEqual(['language.name.de', 'language.name.en', 'wait.seconds']);
  });

  it('fills placeholders and picks plural forms by language rules', () => {
    expect(translate('en', 'error.cooldown', { wait: '60 s' })).toBe(
      'A code was sent a moment ago. Wait 60 s before asking for another.',
    );
    expect(translatePlural('en', 'error.invalidCode', 1)).toBe('That code is not right. 1 attempt left.');
    expect(translatePlural('de', 'error.invalidCode', 3)).toBe('Dieser Code stimmt nicht. Noch 3 Versuche.');
  });
});

describe('resolveLocale', () => {
  it.each([
    [undefined, undefined, 'en'],
    ['de-DE,de;q=0.9,en;q=0.8', undefined, 'de'],
    ['fr-FR,fr;q=0.9,de;q=0.5,en;q=0.4', undefined, 'de'],
    ['en;q=0.5,de;q=0.9', undefined, 'de'],
    ['de;q=0,en', undefined, 'en'],
    ['fr', undefined, 'en'],
    ['*', undefined, 'en'],
    ['de', 'en', 'en'],
    ['en', 'DE-at', 'de'],
    ['de', 'xx', 'de'],
    ['garbage;;;q=abc,,', undefined, 'en'],
  ] as const)('Accept-Language %j with explicit %j → %s', (acceptLanguage, explicit, expected) => {
    expect(resolveLocale(acceptLanguage, explicit)).toBe(expected);
  });
});
