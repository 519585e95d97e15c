/**
 * The message catalogue: every string a person sees, in every language otp-app ships.
 *
 * @example
 * const locale = resolveLocale(request.headers['accept-language'], body.locale);
 * translate(locale, 'error.expired'); // 'Dieser Code ist abgelaufen. …' for German
 */

export { formatLifetime, formatWait } from './durations.js';
export { defaultLocale, isLocale, type Locale, resolveLocale, supportedLocales } from './locale.js';
export type { Catalogue, MessageKey } from './messages.en.js';
export { catalogues, type MessageParams, type PluralKey, placeholdersOf, translate, translatePlural } from './translate.js';
