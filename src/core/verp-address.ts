import { verpTokenLength } from './verp-token.js';

/** BOUNCE_ADDRESS taken apart: `bounces@mail.example.com` → local part `bounces`, domain `mail.example.com`. */
export interface BounceAddress {
  /** Lower case; letters, digits, `.`, `_`, `-`. */
  localPart: string;
  /** Lower case, ASCII (an A-label for an IDN). */
  domain: string;
}

/** RFC 5321 §4.5.3.1.1: a local part holds at most 64 octets; many MTAs enforce it. */
const maxLocalPartOctets = 64;
/** The separator Postfix, Exim and most others use as their recipient delimiter by default or convention. */
const separator = '+';
/** The longest BOUNCE_ADDRESS local part that still leaves room for `+` and the token. */
export const maxBounceLocalPartLength = maxLocalPartOctets - separator.length - verpTokenLength;

/**
 * Parses BOUNCE_ADDRESS, or says what is wrong with it. The local part is kept to a plain, case-safe
 * set so the VERP address needs no quoting anywhere and survives MTAs that fold case.
 */
export function parseBounceAddress(value: string): { ok: true; address: BounceAddress } | { ok: false; problem: string } {
  const match = /^([a-z0-9._-]+)@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/.exec(
    value.trim().toLowerCase(),
  );
  if (match === null) {
    return {
      ok: false,
      problem: 'must be an address like bounces@mail.example.com (letters, digits, ".", "_", "-" before the @)',
    };
  }
  const [, localPart, domain] = match as unknown as [string, string, string];
  if (localPart.length > maxBounceLocalPartLength) {
    return {
      ok: false,
      problem: `has a local part of ${localPart.length} characters; at most ${maxBounceLocalPartLength} leave room for the ${verpTokenLength}-character token within the 64 a local part may hold`,
    };
  }
  if (localPart.includes(separator)) return { ok: false, problem: 'must not contain "+" (it separates the token)' };
  return { ok: true, address: { localPart, domain } };
}

/** The envelope sender for one message: `bounces+<token>@mail.example.com`. */
export function verpAddress(bounce: BounceAddress, token: string): string {
  return `${bounce.localPart}${separator}${token}@${bounce.domain}`;
}

/**
 * The token of an address that is a VERP address of this bounce address, or null (another local part,
 * another domain, no token). Compared without regard to case: the token is lower-case base32.
 */
export function verpTokenOf(bounce: BounceAddress, address: string): string | null {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0 || lower.slice(at + 1) !== bounce.domain) return null;
  const local = lower.slice(0, at);
  const prefix = `${bounce.localPart}${separator}`;
  if (!local.startsWith(prefix)) return null;
  const token = local.slice(prefix.length);
  return token.length === verpTokenLength ? token : null;
}
