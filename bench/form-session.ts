/** A CSRF cookie and its token, as a browser holds them after loading a form; valid for every post. */
export interface FormSession {
  cookie: string;
  csrfToken: string;
}

export async function openFormSession(baseUrl: string): Promise<FormSession> {
  const response = await fetch(`${baseUrl}/secure-otp/request/`);
  const body = await response.text();
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  const csrfCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith('_csrf='));
  if (csrfToken === undefined || csrfCookie === undefined) throw new Error('request page carried no CSRF token or cookie');
  return { cookie: csrfCookie.split(';')[0]!, csrfToken };
}

export function formBody(session: FormSession, fields: Record<string, string>): string {
  return new URLSearchParams({ _csrf: session.csrfToken, ...fields }).toString();
}

export const formHeaders = (session: FormSession) => ({
  'content-type': 'application/x-www-form-urlencoded',
  cookie: session.cookie,
});
