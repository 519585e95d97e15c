import { domainToASCII } from 'node:url';

/** RFC 5321 limits: 64 octets of local part, 254 for the whole path. */
const maxLocalPartLength = 64;
const maxAddressLength = 254;

// Deliberately narrower than RFC 5322: no quoted local parts, no comments, no IP literals. Those are
// legal but almost never real, and each is a way to smuggle odd bytes into a mail header.
const localPartPattern = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const asciiDomainPattern = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/**
 * Normalises an address: trims, lower-cases it and turns an international domain into punycode.
 * Returns null for anything that is not a plausible single mailbox.
 *
 * The local part is lower-cased too. RFC 5321 lets a server treat it as case-sensitive, but real
 * mailboxes do not, and every limit is keyed on this string: with case kept, `Bob@`, `bOb@`, `BOB@`…
 * would each get their own cooldown, send cap and guessing budget for the same mailbox.
 *
 * @example normalizeEmailAddress(' Anna@Bücher.Example ') // 'anna@xn--bcher-kva.example'
 */
export function normalizeEmailAddress(input: string): string | null {
  const trimmed = input.trim();
  // domainToASCII would silently drop a CR, LF or tab inside the domain; refuse control characters outright.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are refused.
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return null;
  if (trimmed.length === 0 || trimmed.length > maxAddressLength * 2) return null;
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  const localPart = trimmed.slice(0, at).toLowerCase();
  const lowerDomain = trimmed.slice(at + 1).toLowerCase();
  // A plain ASCII domain (no punycode labels to check) is its own ASCII form; domainToASCII is for the rest.
  const domain = asciiDomainPattern.test(lowerDomain) && !lowerDomain.includes('xn--') ? lowerDomain : domainToASCII(lowerDomain);
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
