/**
 * The one-time link in a code email's text: its path (with the pages' prefix, if any), which the test
 * opens against its own server.
 */
export function linkPathIn(text: string | undefined): string {
  const path = /https?:\/\/[^\s/]+((?:\/[^\s/]+)*\/secure-otp\/link\/[A-Za-z0-9_-]+)/.exec(text ?? '')?.[1];
  if (path === undefined) throw new Error(`no one-time link in mail: ${text ?? '(no mail)'}`);
  return path;
}

/** The code in a code email's text: the digits on a line of their own. */
export function codeInText(text: string | undefined): string {
  const code = /^\s*(\d{6,10})\s*$/m.exec(text ?? '')?.[1];
  if (code === undefined) throw new Error(`no code in mail: ${text ?? '(no mail)'}`);
  return code;
}
