/**
 * What a request line says about a path no route matched. A matched request logs its route pattern
 * (`/secure-otp/link/:token`); an unmatched one has no pattern, and its raw path may carry a secret
 * (`OPTIONS /secure-otp/link/<token>`, `GET /secure-otp/link/<token>/x`, a code typed into the URL).
 * So only plain words survive: short names such as `secure-otp` or `app.css`. A segment that could be a
 * token (long, or encoded) or a code (a run of digits) becomes `:redacted`, and everything after a
 * secret-bearing segment (`link`) is dropped whole. No query string, ever.
 */
export function loggableUnmatchedPath(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  const kept: string[] = [];
  for (const segment of path.split('/')) {
    if (secretBearingSegments.has(kept.at(-1)?.toLowerCase() ?? '')) {
      kept.push(':redacted');
      break;
    }
    kept.push(segment === '' || isPlainWord(segment) ? segment : ':redacted');
  }
  return kept.join('/') || '/';
}

/** Path segments after which a secret follows (the one-time link, under whatever prefix). */
const secretBearingSegments = new Set(['link']);

const maxPlainWordLength = 24;

function isPlainWord(segment: string): boolean {
  // A link token is 43 characters; a code is 6–10 digits. Neither passes.
  return segment.length <= maxPlainWordLength && /^[A-Za-z][A-Za-z0-9._-]*$/.test(segment) && !/\d{4}/.test(segment);
}
