/**
 * The domain of a From value (`otp-app <no-reply@Example.com>` → `example.com`), or undefined when it
 * holds no address. Used for the Message-ID and to check the From against the DKIM domain.
 */
export function senderDomain(from: string): string | undefined {
  return /@([^\s@<>]+)>?\s*$/.exec(from)?.[1]?.toLowerCase();
}
