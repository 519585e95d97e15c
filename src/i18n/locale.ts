/** The languages otp-app speaks. The first is the fallback for anything else. */
export const supportedLocales = ['en', 'de'] as const;
export type Locale = (typeof supportedLocales)[number];
export const defaultLocale: Locale = 'en';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (supportedLocales as readonly string[]).includes(value);
}

/**
 * The language to answer in: an explicit choice (`?lang=`, a cookie, the API's `locale`) wins when we
 * speak it; otherwise the best match in Accept-Language by q-value; otherwise English.
 *
 * @example resolveLocale('de-CH,de;q=0.9,en;q=0.8') // 'de'
 * @example resolveLocale('de', 'en') // 'en'
 */
export function resolveLocale(acceptLanguage?: string | null, explicit?: string | null): Locale {
  const chosen = explicit?.trim().toLowerCase().split('-')[0];
  if (isLocale(chosen)) return chosen;
  if (acceptLanguage === undefined || acceptLanguage === null) return defaultLocale;
  const ranked = acceptLanguage
    // A hostile header can be long; the first few entries are all a browser ever sends that matter.
    .split(',', 20)
    .map((entry, index) => {
      const [tag = '', ...parameters] = entry.trim().split(';');
      const q = parameters.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((value) => value !== undefined);
      return { language: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0 && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.language).find(isLocale) ?? defaultLocale;
}
