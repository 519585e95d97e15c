import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretKeyring } from '../../src/core/secret-keyring.js';
import { maxBounceLocalPartLength, parseBounceAddress, verpAddress, verpTokenOf } from '../../src/core/verp-address.js';
import { VerpTokens, verpTokenLength } from '../../src/core/verp-token.js';

const secret = 'verp-token-test-secret-0123456789abcdef';
const oldSecret = 'verp-token-old-secret-0123456789abcdef';
const tokensFor = (current: string, old: string[] = []) => new VerpTokens(new SecretKeyring(current, old, 'verp token v1'));

describe('VERP tokens', () => {
  const tokens = tokensFor(secret);

  it('names the message it was issued for, in 48 lower-case base32 characters', () => {
    const messageId = randomUUID();
    const token = tokens.issue(messageId, 'anna@example.com');
    expect(token).toMatch(/^[a-z2-7]{48}$/);
    expect(token).toHaveLength(verpTokenLength);
    expect(tokens.open(token)?.messageId).toBe(messageId);
  });

  it('opens whatever case an MTA folded the token to', () => {
    const messageId = randomUUID();
    expect(tokens.open(tokens.issue(messageId, 'anna@example.com').toUpperCase())?.messageId).toBe(messageId);
  });

  it('refuses every single-character change of a token', () => {
    const token = tokens.issue(randomUUID(), 'anna@example.com');
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    for (let index = 0; index < token.length; index++) {
      const replacement = alphabet[(alphabet.indexOf(token[index]!) + 1) % 32];
      expect(tokens.open(`${token.slice(0, index)}${replacement}${token.slice(index + 1)}`)).toBeNull();
    }
  });

  it('refuses malformed tokens: wrong length, characters outside base32, empty', () => {
    const token = tokens.issue(randomUUID(), 'anna@example.com');
    for (const bad of [
      '',
      token.slice(1),
      `${token}a`,
      `${token.slice(0, -1)}1`,
      `${token.slice(0, -1)}=`,
      `${token.slice(0, -1)}é`,
    ]) {
      expect(tokens.open(bad)).toBeNull();
    }
  });

  it('refuses a token made under another secret, or for another purpose of the same secret', () => {
    const messageId = randomUUID();
    expect(tokens.open(tokensFor('some-other-secret-0123456789abcdef00').issue(messageId, 'anna@example.com'))).toBeNull();
    const otherPurpose = new VerpTokens(new SecretKeyring(secret, [], 'cookie signing v1'));
    expect(tokens.open(otherPurpose.issue(messageId, 'anna@example.com'))).toBeNull();
  });

  it('keeps tokens of an old secret valid while it is in OLD_SECRET_KEYS, and no longer after', () => {
    const messageId = randomUUID();
    const issuedBefore = tokensFor(oldSecret).issue(messageId, 'anna@example.com');
    const rotated = tokensFor(secret, [oldSecret]);
    const opened = rotated.open(issuedBefore);
    expect(opened?.messageId).toBe(messageId);
    expect(opened?.isForRecipient('anna@example.com')).toBe(true);
    expect(tokensFor(secret).open(issuedBefore)).toBeNull();
  });

  it('tells the recipient it was issued for from any other, case and IDN spelling aside', () => {
    const opened = tokens.open(tokens.issue(randomUUID(), 'anna@xn--bcher-kva.example'));
    expect(opened?.isForRecipient('anna@xn--bcher-kva.example')).toBe(true);
    expect(opened?.isForRecipient('Anna@BÜCHER.example')).toBe(true);
    expect(opened?.isForRecipient(' ANNA@XN--BCHER-KVA.EXAMPLE ')).toBe(true);
    expect(opened?.isForRecipient('bob@xn--bcher-kva.example')).toBe(false);
    expect(opened?.isForRecipient('anna@example.com')).toBe(false);
  });

  it('is issued only for outbox ids (UUIDs)', () => {
    expect(() => tokens.issue('not-a-uuid', 'anna@example.com')).toThrow(/UUID/);
  });
});

describe('VERP addresses', () => {
  const bounce = { localPart: 'bounces', domain: 'mail.example.com' };
  const tokens = tokensFor(secret);

  it('puts the token after "+" and stays within the 64 octets a local part may hold', () => {
    const token = tokens.issue(randomUUID(), 'anna@example.com');
    const address = verpAddress(bounce, token);
    expect(address).toBe(`bounces+${token}@mail.example.com`);
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    const longest = parseBounceAddress(`${'b'.repeat(maxBounceLocalPartLength)}@mail.example.com`);
    expect(longest.ok && verpAddress(longest.address, token).split('@')[0]!.length).toBe(64);
  });

  it('reads the token back only from a VERP address of this bounce address', () => {
    const token = tokens.issue(randomUUID(), 'anna@example.com');
    expect(verpTokenOf(bounce, `bounces+${token}@mail.example.com`)).toBe(token);
    expect(verpTokenOf(bounce, `BOUNCES+${token.toUpperCase()}@Mail.Example.COM`)).toBe(token);
    expect(verpTokenOf(bounce, `bounces+${token}@other.example.com`)).toBeNull();
    expect(verpTokenOf(bounce, `bounces+${token}@sub.mail.example.com`)).toBeNull();
    expect(verpTokenOf(bounce, `other+${token}@mail.example.com`)).toBeNull();
    expect(verpTokenOf(bounce, 'bounces@mail.example.com')).toBeNull();
    expect(verpTokenOf(bounce, `bounces+${token}x@mail.example.com`)).toBeNull();
  });

  it('checks BOUNCE_ADDRESS: a plain local part short enough for the token, a domain name', () => {
    expect(parseBounceAddress('Bounces@Mail.Example.com')).toEqual({ ok: true, address: bounce });
    expect(parseBounceAddress(`${'b'.repeat(maxBounceLocalPartLength + 1)}@mail.example.com`)).toMatchObject({ ok: false });
    for (const bad of [
      'bounces',
      'bounces@localhost',
      'bou nces@mail.example.com',
      'b+x@mail.example.com',
      '"q"@mail.example.com',
    ]) {
      expect(parseBounceAddress(bad)).toMatchObject({ ok: false });
    }
  });
});
