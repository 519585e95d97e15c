/** A page as a no-JavaScript browser sees it. */
export interface Page {
  status: number;
  /** Path of the page after following redirects. */
  path: string;
  body: string;
  headers: Headers;
}

/**
 * A minimal browser for server-rendered forms: keeps cookies, follows redirects, and sends the CSRF
 * token of the last page it loaded with each form, as a real form post would.
 */
export class FormClient {
  private readonly cookies = new Map<string, string>();
  private lastPage: Page | undefined;

  constructor(private readonly baseUrl: string) {}

  get(path: string): Promise<Page> {
    return this.fetchPage(path, { method: 'GET' });
  }

  /** Posts `fields` as application/x-www-form-urlencoded, adding `_csrf` from the last page unless given. */
  post(path: string, fields: Record<string, string | string[]>, options: { withCsrf?: boolean } = {}): Promise<Page> {
    const form = new URLSearchParams();
    const token = this.lastPage === undefined ? undefined : csrfTokenIn(this.lastPage.body);
    if (options.withCsrf !== false && token !== undefined && !('_csrf' in fields)) form.append('_csrf', token);
    for (const [name, value] of Object.entries(fields)) {
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, item);
    }
    return this.fetchPage(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
  }

  /** The Cookie header this browser sends: what an attacker who copied its cookies would replay. */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Sends anything at all, for bad-input tests; cookies still apply. */
  raw(path: string, init: RequestInit): Promise<Page> {
    return this.fetchPage(path, init, false);
  }

  private async fetchPage(path: string, init: RequestInit, followRedirects = true): Promise<Page> {
    let response = await this.send(path, init);
    let currentPath = path;
    for (let hops = 0; followRedirects && hops < 5 && response.status >= 300 && response.status < 400; hops++) {
      currentPath = new URL(response.headers.get('location')!, this.baseUrl).pathname;
      response = await this.send(currentPath, { method: 'GET' });
    }
    const page: Page = { status: response.status, path: currentPath, body: await response.text(), headers: response.headers };
    if (page.headers.get('content-type')?.startsWith('text/html')) this.lastPage = page;
    return page;
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader());
    const response = await fetch(new URL(path, this.baseUrl), { ...init, headers, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) this.storeCookie(setCookie);
    return response;
  }

  private storeCookie(setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';');
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator).trim();
    const value = pair.slice(separator + 1).trim();
    const expired = attributes.some((attribute) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(attribute));
    if (expired || value === '') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

export function csrfTokenIn(body: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
}

/** The visible text of a page, roughly: tags removed, entities for quotes decoded, whitespace folded. */
export function textOf(body: string): string {
  return body
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
