import {
  type Locale,
  type MessageKey,
  type MessageParams,
  type PluralKey,
  translate,
  translatePlural,
} from '../../i18n/index.js';
import { catalogues } from '../../i18n/translate.js';
import { html, type SafeHtml } from '../html.js';

export interface PageMessages {
  locale: Locale;
  /** A message as text; the `html` tag escapes it where it lands. */
  t(key: MessageKey, params?: MessageParams): string;
  tPlural(key: PluralKey, count: number, params?: MessageParams): string;
  /** A message with markup in its placeholders (`<strong>${address}</strong>`); the message text itself is escaped. */
  tHtml(key: MessageKey, params: Readonly<Record<string, SafeHtml | string | number>>): SafeHtml;
}

/** The catalogue, bound to one page's language. */
export function pageMessages(locale: Locale): PageMessages {
  return {
    locale,
    t: (key, params) => translate(locale, key, params),
    tPlural: (key, count, params) => translatePlural(locale, key, count, params),
    tHtml(key, params) {
      // split() with a capture group: even indexes are text, odd ones placeholder names.
      const parts = catalogues[locale][key].split(/\{(\w+)\}/);
      const pieces = parts.map((part, index) =>
        index % 2 === 0 ? part : Object.hasOwn(params, part) ? params[part]! : `{${part}}`,
      );
      return html`${pieces.map((piece) => (typeof piece === 'number' ? String(piece) : piece))}`;
    },
  };
}
