import { pagePaths, pagesPrefixOf } from '../web/page-paths.js';

/**
 * The email's one-time link for a token, or undefined when there is no public URL (the email then
 * carries the code only). `publicUrl` names where the pages are, their prefix included
 * (`https://shop.example.com/otp` → `https://shop.example.com/otp/secure-otp/link/<token>`), so the
 * process that delivers the mail builds the same link as the one that serves the pages.
 */
export function oneTimeLinkBuilder(publicUrl: string | undefined): ((token: string) => string) | undefined {
  if (publicUrl === undefined) return undefined;
  const origin = new URL(publicUrl).origin;
  const paths = pagePaths(pagesPrefixOf(publicUrl));
  return (token) => `${origin}${paths.link(token)}`;
}
