import { domainToASCII } from 'node:url';

/** RFC 5321 limits: 64 octets of local part, 254 for the whole path. */
const maxLocalPartLength = 64;
const maxAddressLength = 254;

// Deliberately narrower than RFC 5322: no quoted local parts, no comments, no IP literals. Those are
// legal but almost never real, and each is a way to smuggle odd bytes into a mail header.
const localPartPattern = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const asciiDomainPattern = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/**
 * Normalises an address the way mail systems treat it: trims, lower-cases the domain and turns an
 * international domain into punycode. The local part keeps its case (RFC 5321 lets servers treat it
 * as case-sensitive). Returns null for anything that is not a plausible single mailbox.
 *
 * @example normalizeEmailAddress(' Anna@Bücher.Example ') // 'Anna@xn--bcher-kva.example'
 */
export function normalizeEmailAddress(input: string): string | null {
  const trimmed = input.trim();
  // domainToASCII would silently drop a CR, LF or tab inside the domain; refuse control characters outright.
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return null;
  if (trimmed.length === 0 || trimmed.length > maxAddressLength * 2) return null;
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  const localPart = trimmed.slice(0, at);
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase());
  if (localPart.length > maxLocalPartLength || !localPartPattern.test(localPart)) return null;
  if (domain === '' || !asciiDomainPattern.test(domain)) return null;
  const address = `${localPart}@${domain}`;
  return address.length <= maxAddressLength ? address : null;
}

/** For logs: keeps enough to correlate ("an***@example.com") without recording who asked. */
export function maskEmailAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '***';
  return `${address.slice(0, Math.min(2, at))}***${address.slice(at)}`;
}
