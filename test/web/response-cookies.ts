import { type PagePaths, pagePaths } from '../../src/web/page-paths.js';
import { csrfTokenIn, type FormClient, type Page } from '../support/form-client.js';

/** The Set-Cookie line for `name`, or undefined. */
export function setCookieNamed(headers: Headers, name: string): string | undefined {
  return headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/** The value a Set-Cookie line for `name` carries, as a browser would send it back. */
export function cookieValueNamed(headers: Headers, name: string): string | undefined {
  return setCookieNamed(headers, name)?.split(';')[0]?.slice(`${name}=`.length);
}

/** Cookie attributes, lower-cased, without values for flags: ['path=/', 'httponly', 'samesite=lax']. */
export function cookieAttributes(setCookie: string | undefined): string[] {
  return (setCookie ?? '')
    .split(';')
    .slice(1)
    .map((attribute) => attribute.trim().toLowerCase());
}

/** True when the Set-Cookie line deletes its cookie. */
export function clearsCookie(setCookie: string | undefined): boolean {
  return /expires=thu, 01 jan 1970|max-age=0/.test(cookieAttributes(setCookie).join(';'));
}

/** Posts the request form without following the redirect, to see the cookies the 303 sets. */
export async function postCodeRequestWithoutRedirect(
  client: FormClient,
  email: string,
  paths: PagePaths = pagePaths(),
): Promise<Page> {
  const { request } = paths;
  const csrfToken = csrfTokenIn((await client.get(request)).body) ?? '';
  return client.raw(request, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfToken, email }).toString(),
  });
}
