import type { Locale } from './locale.js';
import { de } from './messages.de.js';
import { type Catalogue, en, type MessageKey } from './messages.en.js';

/** Every language's messages, keyed by locale. */
export const catalogues: Readonly<Record<Locale, Catalogue>> = { en, de };

export type MessageParams = Readonly<Record<string, string | number>>;

/** Keys that come in `_one` / `_other` forms, without the suffix. */
export type PluralKey = MessageKey extends infer K ? (K extends `${infer Base}_other` ? Base : never) : never;

/**
 * The message `key` in `locale`, with `{name}` placeholders filled from `params`. Plain text: the
 * caller escapes it for HTML (the `html` tag does).
 *
 * @example translate('de', 'verify.sentTo', { address: 'anna@example.com' })
 */
export function translate(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  return fill(catalogues[locale][key], params);
}

/** The plural form of `key` for `count` in `locale` (Intl.PluralRules), `{count}` filled in. */
export function translatePlural(locale: Locale, key: PluralKey, count: number, params: MessageParams = {}): string {
  const form = pluralRules(locale).select(count) === 'one' ? 'one' : 'other';
  return translate(locale, `${key}_${form}` as MessageKey, { ...params, count });
}

/** The placeholders `{name}` in a message, for tests that check every language uses the same ones. */
export function placeholdersOf(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();
}

function fill(template: string, params: MessageParams): string {
  if (!template.includes('{')) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

const rulesByLocale = new Map<Locale, Intl.PluralRules>();
function pluralRules(locale: Locale): Intl.PluralRules {
  let rules = rulesByLocale.get(locale);
  if (rules === undefined) {
    rules = new Intl.PluralRules(locale);
    rulesByLocale.set(locale, rules);
  }
  return rules;
}
