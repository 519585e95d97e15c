import { createHmac, timingSafeEqual } from 'node:crypto';
import { domainToASCII } from 'node:url';
import type { DerivedKey, SecretKeyring } from './secret-keyring.js';

/**
 * The token in a code email's envelope sender (`bounces+<token>@mail.example.com`): it names the outbox
 * message a bounce is about, so a report needs no other lookup, and it is authenticated, so nobody can
 * report a bounce for a message they never saw (a forged one would withdraw a code and suppress an address).
 *
 * Layout, 30 bytes written as 48 characters of lower-case base32 (RFC 4648 alphabet; some MTAs fold the
 * case of a local part, and base32 survives that where base64 does not):
 *   message id (UUID, 16 bytes) ‖ recipient tag (4 bytes) ‖ MAC (10 bytes)
 * The recipient tag is a keyed fingerprint of the address the message went to: a report about some other
 * address can be told apart without storing anything. The MAC covers both and is checked first, at RCPT
 * TO, before the report is even read.
 *
 * 80 bits of MAC: a forger gets one guess per SMTP command, online, against ≈2^80 values. Old secrets
 * (OLD_SECRET_KEYS) still open tokens, so bounces of mail sent just before a rotation are not lost.
 */
export const verpTokenLength = 48;

const idBytes = 16;
const recipientTagBytes = 4;
const macBytes = 10;
const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A token that passed its MAC: the message it names, and a check of the address a report is about. */
export interface OpenedVerpToken {
  messageId: string;
  /** True when `address` is the one the message was sent to (case and IDN spelling aside). */
  isForRecipient(address: string): boolean;
}

export class VerpTokens {
  readonly #keyring: SecretKeyring;

  /** @param keyring derived for this use only, e.g. `new SecretKeyring(secret, oldSecrets, 'verp token v1')` */
  constructor(keyring: SecretKeyring) {
    this.#keyring = keyring;
  }

  /**
   * The token for a message and its recipient, under the current key.
   * @throws Error when `messageId` is not a UUID (outbox ids are; anything else is a bug upstream)
   */
  issue(messageId: string, recipient: string): string {
    if (!uuidPattern.test(messageId)) throw new Error('a VERP token names an outbox message by its UUID');
    const key = this.#keyring.current;
    const id = Buffer.from(messageId.replaceAll('-', ''), 'hex');
    const tag = recipientTag(key, recipient);
    return encodeBase32(Buffer.concat([id, tag, mac(key, id, tag)]));
  }

  /** The message a token names, or null when it is malformed or its MAC fails under every key. */
  open(token: string): OpenedVerpToken | null {
    const bytes = decodeBase32(token.toLowerCase());
    if (bytes === null || bytes.length !== idBytes + recipientTagBytes + macBytes) return null;
    const id = bytes.subarray(0, idBytes);
    const tag = bytes.subarray(idBytes, idBytes + recipientTagBytes);
    const presented = bytes.subarray(idBytes + recipientTagBytes);
    let signer: DerivedKey | undefined;
    // Every key is tried, no early exit; each comparison is constant-time.
    for (const key of this.#keyring.all()) {
      if (timingSafeEqual(mac(key, id, tag), presented) && signer === undefined) signer = key;
    }
    if (signer === undefined) return null;
    const key = signer;
    const expectedTag = Buffer.from(tag);
    return {
      messageId: uuidOf(id),
      isForRecipient: (address) => timingSafeEqual(recipientTag(key, address), expectedTag),
    };
  }
}

function mac(key: DerivedKey, id: Buffer, tag: Buffer): Buffer {
  return createHmac('sha256', key.key).update('verp mac\0').update(id).update(tag).digest().subarray(0, macBytes);
}

function recipientTag(key: DerivedKey, address: string): Buffer {
  return createHmac('sha256', key.key)
    .update('verp recipient\0')
    .update(comparableAddress(address), 'utf8')
    .digest()
    .subarray(0, recipientTagBytes);
}

/** Lower case, the domain as an A-label: reports spell the address the way their MTA likes. */
function comparableAddress(address: string): string {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 0) return trimmed.toLowerCase();
  const domain = domainToASCII(trimmed.slice(at + 1)) || trimmed.slice(at + 1);
  return `${trimmed.slice(0, at)}@${domain}`.toLowerCase();
}

function uuidOf(id: Buffer): string {
  const hex = id.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** RFC 4648 base32, lower case, no padding. Only whole-byte multiples of 5 are ever written here. */
function encodeBase32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** The bytes of exactly `verpTokenLength` base32 characters, or null. */
function decodeBase32(text: string): Buffer | null {
  if (text.length !== verpTokenLength) return null;
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const digit = base32Alphabet.indexOf(char);
    if (digit < 0) return null;
    value = ((value << 5) | digit) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}
