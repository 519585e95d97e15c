import { csrfTokenIn, type FormClient, type Page } from '../support/form-client.js';

/** Posts a form as coming from `clientIp` (the app trusts X-Forwarded-For in these tests), without following redirects. */
export async function postFormFrom(
  browser: FormClient,
  path: string,
  fields: Record<string, string>,
  csrfToken: string,
  clientIp: string,
): Promise<Page> {
  return browser.raw(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': clientIp },
    body: new URLSearchParams({ _csrf: csrfToken, ...fields }).toString(),
  });
}

/**
 * The CSRF token on the form at `formPath`, as served to this browser. Every process shares SECRET_KEY,
 * so a token from one process is good on all of them.
 */
export async function csrfTokenOf(browser: FormClient, formPath: string): Promise<string> {
  const token = csrfTokenIn((await browser.get(formPath)).body);
  if (token === undefined) throw new Error(`no CSRF token on ${formPath}`);
  return token;
}

/** Spreads `count` calls round-robin over `targets` and runs them all at once. */
export function spreadOver<T, R>(targets: T[], count: number, call: (target: T, index: number) => Promise<R>): Promise<R[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => call(targets[i % targets.length]!, i)));
}
