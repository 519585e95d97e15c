import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLocale, type Locale, resolveLocale } from '../i18n/index.js';

const cookieName = 'otp_lang';
const oneYearSeconds = 365 * 24 * 3600;

/** The language chosen explicitly on this request (`?lang=de`), if we speak it. */
function queryLocale(request: FastifyRequest): Locale | undefined {
  const lang = (request.query as Record<string, unknown> | undefined)?.lang;
  return isLocale(lang) ? lang : undefined;
}

/**
 * The language of a page: `?lang=` first, then the choice remembered in a cookie, then the browser's
 * Accept-Language, then English.
 */
export function localeOf(request: FastifyRequest): Locale {
  const remembered = request.cookies?.[cookieName];
  const explicit = queryLocale(request) ?? (isLocale(remembered) ? remembered : undefined);
  return resolveLocale(request.headers['accept-language'], explicit);
}

/** Keeps a `?lang=` choice for the next pages (every page under `cookiePath`), so a person picks a language once. */
export function rememberLocaleChoice(request: FastifyRequest, reply: FastifyReply, cookiePath: string): void {
  const chosen = queryLocale(request);
  // The API (pages: false) has no cookie plugin; it takes its language per request instead.
  if (chosen === undefined || typeof reply.setCookie !== 'function' || request.cookies?.[cookieName] === chosen) return;
  reply.setCookie(cookieName, chosen, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: cookiePath,
    maxAge: oneYearSeconds,
  });
}
