/**
 * The URLs of an SMTP_URL that lists several transports, comma-separated, primary first. A comma splits
 * only where a new URL starts, so a (percent-encoded or not) comma inside a password stays put.
 *
 * @example smtpUrlList('smtp://a.example:587, smtps://b.example:465') // ['smtp://a.example:587', 'smtps://b.example:465']
 */
export function smtpUrlList(value: string): string[] {
  return value
    .split(/\s*,\s*(?=[a-z][a-z0-9+.-]*:\/\/)/i)
    .map((url) => url.trim())
    .filter(Boolean);
}

/** A name for logs: host and port only, never the credentials. */
export function smtpTransportName(smtpUrl: string, index: number): string {
  try {
    return new URL(smtpUrl).host || `transport ${index + 1}`;
  } catch {
    return `transport ${index + 1}`;
  }
}
