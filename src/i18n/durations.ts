import type { Locale } from './locale.js';
import { translate, translatePlural } from './translate.js';

/**
 * A wait, rounded up so nobody retries too early: "45 s", "2 minutes".
 * Below 90 s in seconds, above in whole minutes.
 */
export function formatWait(locale: Locale, seconds: number): string {
  if (seconds < 90) return translate(locale, 'wait.seconds', { count: Math.max(1, Math.ceil(seconds)) });
  return translatePlural(locale, 'wait.minutes', Math.ceil(seconds / 60));
}

/**
 * A code's lifetime, rounded down: telling someone a code lasts longer than it does makes them fail;
 * telling them it lasts a little less does no harm. "5 minutes", "45 seconds".
 */
export function formatLifetime(locale: Locale, ttlSeconds: number): string {
  if (ttlSeconds < 60) return translatePlural(locale, 'duration.seconds', Math.max(0, Math.floor(ttlSeconds)));
  return translatePlural(locale, 'duration.minutes', Math.floor(ttlSeconds / 60));
}
