/**
 * Every path of the hosted pages, spelled here and nowhere else: routes, links, form actions,
 * redirects, cookie paths, static files and the email's one-time link all take them from this set.
 * Built from the prefix the pages are mounted under (`/otp` → `/otp/secure-otp/…`); the standalone
 * server uses the empty prefix.
 */
export interface PagePaths {
  /** `/`: the home page. */
  readonly home: string;
  /** `/secure-otp/`: the start of the flow; also the path of the cookies only the flow reads. */
  readonly start: string;
  readonly request: string;
  readonly verify: string;
  readonly success: string;
  /** The route pattern of the one-time link (`:token`). */
  readonly linkRoute: string;
  /** The one-time link for a token, URL-encoded. */
  link(token: string): string;
  readonly devMailbox: string;
  readonly stylesheet: string;
  readonly script: string;
  /** The proof-of-work page's script (static/pow-challenge.js); it loads the ALTCHA widget from powWidgetFolder. */
  readonly powScript: string;
  /** Where the ALTCHA widget's own files are served (`…/static/altcha/`). */
  readonly powWidgetFolder: string;
  readonly powStylesheet: string;
  /** Path of the cookies every page reads (CSRF secret, flash, language). */
  readonly siteCookiePath: string;
}

/** The page paths under `prefix` (no trailing slash, e.g. `/otp`; `''` for none). */
export function pagePaths(prefix = ''): PagePaths {
  const start = `${prefix}/secure-otp/`;
  return Object.freeze({
    home: `${prefix}/`,
    start,
    request: `${start}request/`,
    verify: `${start}verify/`,
    success: `${start}success/`,
    linkRoute: `${start}link/:token`,
    link: (token: string) => `${start}link/${encodeURIComponent(token)}`,
    devMailbox: `${prefix}/dev/mailbox`,
    stylesheet: `${prefix}/static/app.css`,
    script: `${prefix}/static/app.js`,
    powScript: `${prefix}/static/pow-challenge.js`,
    powWidgetFolder: `${prefix}/static/altcha/`,
    powStylesheet: `${prefix}/static/altcha/altcha.css`,
    siteCookiePath: `${prefix}/`,
  });
}

/**
 * The same paths relative to the plugin's own scope, for registering routes: Fastify adds the
 * scope's prefix to a route itself. Links, redirects and cookie paths take `pagePaths(prefix)`.
 */
export const pageRoutes: PagePaths = pagePaths();

/**
 * The prefix the pages live under according to a public URL (`https://shop.example.com/otp` → `/otp`,
 * `https://otp.example.com` → `''`): PUBLIC_URL names where the pages are, prefix included.
 */
export function pagesPrefixOf(publicUrl: string): string {
  return new URL(publicUrl).pathname.replace(/\/+$/, '');
}
