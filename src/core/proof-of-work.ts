import { createHash } from 'node:crypto';
import { type Challenge, createChallenge, randomInt, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { z } from 'zod';
import type { Clock } from './clock.js';

/**
 * The ALTCHA proof of work (altcha-lib v2, the protocol the `altcha` widget v3 solves): issued bound to
 * one address, single-use, expiring. Deterministic mode: we pick the counter the browser must find and
 * sign the key it derives, so verifying is two HMACs (the challenge's and the key's) — never a key
 * derivation, whatever an attacker sends. Issuing costs one PBKDF2 of `pbkdf2Iterations`.
 */
export interface ProofOfWorkSettings {
  /** HMAC key of the challenge parameters. */
  signatureSecret: string;
  /** HMAC key of the derived key the solver must find. */
  keySignatureSecret: string;
  pbkdf2Iterations: number;
  /** The secret counter is drawn uniformly from [mean/2, 3·mean/2]: bounded work, no unlucky phone. */
  meanAttempts: number;
  expiryMs: number;
  clock: Clock;
  spent: SpentChallengeStore;
}

/** Port: where spent challenges are remembered until they expire, shared by every process. */
export interface SpentChallengeStore {
  /** Records the challenge as spent; false when it already was (a replay). */
  spend(challengeId: string, expiresAtMs: number, nowMs: number): Promise<boolean>;
}

export const powFailureReasons = ['malformed', 'forged', 'wrong_solution', 'expired', 'wrong_address', 'replayed'] as const;
export type PowFailureReason = (typeof powFailureReasons)[number];
export type PowVerdict = { ok: true } | { ok: false; reason: PowFailureReason };

export const powAlgorithm = 'PBKDF2/SHA-256';
/** A payload is ~700 characters; anything much longer is not one. */
const maxPayloadLength = 4096;

const hex = z.string().regex(/^[0-9a-f]+$/);
const payloadSchema = z.object({
  challenge: z.object({
    parameters: z.object({
      algorithm: z.literal(powAlgorithm),
      nonce: hex.max(64),
      salt: hex.max(64),
      cost: z.number().int().positive(),
      keyLength: z.number().int().positive().max(64),
      keyPrefix: hex.max(128),
      keySignature: hex.max(128),
      expiresAt: z.number().int().positive(),
      data: z.object({ address: hex.length(64) }),
    }),
    signature: hex.max(128),
  }),
  solution: z.object({ counter: z.number().int().min(0), derivedKey: hex.max(128), time: z.number().optional() }),
});

export class ProofOfWork {
  constructor(private readonly settings: ProofOfWorkSettings) {}

  /** A challenge for `address` (normalised), to embed in the page the widget solves it on. */
  async issue(address: string): Promise<Challenge> {
    const { meanAttempts, pbkdf2Iterations } = this.settings;
    return createChallenge({
      algorithm: powAlgorithm,
      cost: pbkdf2Iterations,
      counter: randomInt(Math.ceil((3 * meanAttempts) / 2), Math.floor(meanAttempts / 2)),
      deriveKey,
      data: { address: addressDigest(address) },
      expiresAt: Math.floor((this.settings.clock.nowMs() + this.settings.expiryMs) / 1000),
      hmacSignatureSecret: this.settings.signatureSecret,
      hmacKeySignatureSecret: this.settings.keySignatureSecret,
    });
  }

  /** Checks the widget's payload (base64 JSON) for `address`; spends it when it is good. */
  async verify(payloadBase64: string, address: string): Promise<PowVerdict> {
    const payload = parsePayload(payloadBase64);
    if (payload === null) return { ok: false, reason: 'malformed' };
    const { parameters } = payload.challenge;
    const result = await verifySolution({
      challenge: payload.challenge,
      solution: payload.solution,
      deriveKey,
      hmacSignatureSecret: this.settings.signatureSecret,
      hmacKeySignatureSecret: this.settings.keySignatureSecret,
    }).catch(() => null);
    if (result === null) return { ok: false, reason: 'malformed' };
    // altcha-lib reads expiry off the system clock; ours may be a test's, so it is checked here too.
    const expiresAtMs = parameters.expiresAt * 1000;
    if (result.expired || expiresAtMs <= this.settings.clock.nowMs()) return { ok: false, reason: 'expired' };
    if (result.invalidSignature) return { ok: false, reason: 'forged' };
    if (!result.verified) return { ok: false, reason: 'wrong_solution' };
    // The signature covers `data`, so the address in it is the one the challenge was issued for.
    if (parameters.data.address !== addressDigest(address)) return { ok: false, reason: 'wrong_address' };
    const first = await this.settings.spent.spend(parameters.nonce, expiresAtMs, this.settings.clock.nowMs());
    return first ? { ok: true } : { ok: false, reason: 'replayed' };
  }
}

/** Binds a challenge to an address without writing the address into the page twice. */
export function addressDigest(address: string): string {
  return createHash('sha256').update(`otp-app pow address\0${address}`).digest('hex');
}

function parsePayload(payloadBase64: string): z.infer<typeof payloadSchema> | null {
  if (payloadBase64.length > maxPayloadLength || !/^[A-Za-z0-9+/]+={0,2}$/.test(payloadBase64)) return null;
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(payloadBase64, 'base64').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
