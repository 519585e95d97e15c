import type { Challenge } from 'altcha-lib';
import type { ChallengeConfig } from '../config/challenge-config.js';
import { type NetworkPrefixes, networkOf } from '../core/client-network.js';
import { normalizeEmailAddress } from '../core/email-address.js';
import type { PressureSignal } from '../core/pressure-signals.js';
import type { PowFailureReason, ProofOfWork } from '../core/proof-of-work.js';
import type { PressureMonitor } from './pressure-monitor.js';

/** What the request form must do with one submission. */
export type ChallengeDecision =
  | { type: 'pass' }
  | {
      type: 'challenge';
      /** The challenge to solve, bound to the address typed. */
      challenge: Challenge;
      /** When a request without a proof of work may pass again (the pressure's earliest end). */
      retryAfterSeconds: number;
      /** Why the answer sent was refused; absent when none was sent. */
      failure?: PowFailureReason;
    };

export type ChallengeEvent =
  | { type: 'challenge.issued'; address: string; signals: readonly string[] }
  | { type: 'challenge.solved'; address: string; signals: readonly string[] }
  | { type: 'challenge.failed'; address: string; signals: readonly string[]; reason: PowFailureReason };

export interface RequestChallengeOptions {
  mode: ChallengeConfig['mode'];
  monitor: PressureMonitor;
  pow: ProofOfWork;
  /** OTP_CHALLENGE=always: how long to tell a visitor without JavaScript to wait. */
  alwaysRetryAfterSeconds: number;
  /** How much of a client address names its network: the same as the per-network limits (OTP_SUBNET_*_PREFIX). */
  networkPrefixes?: NetworkPrefixes;
  events: (event: ChallengeEvent) => void;
}

/**
 * The adaptive challenge of the request form (and its resend): nobody sees one without pressure; under
 * pressure a submission passes only with a valid, unspent proof of work for the address it asks for.
 * The JSON API never comes here.
 */
export class RequestChallenge {
  constructor(private readonly options: RequestChallengeOptions) {}

  get monitor(): PressureMonitor {
    return this.options.monitor;
  }

  async check(input: { clientIp: string; email: string; answer: string | undefined }): Promise<ChallengeDecision> {
    if (this.options.mode === 'off') return { type: 'pass' };
    const address = normalizeEmailAddress(input.email);
    // Not an address: the service says so, and sends nothing.
    if (address === null) return { type: 'pass' };
    const { signals, retryAfterSeconds } = await this.#pressureOn(input.clientIp, address);
    if (signals.length === 0) return { type: 'pass' };

    const answer = input.answer ?? '';
    if (answer !== '') {
      const verdict = await this.options.pow.verify(answer, address);
      if (verdict.ok) {
        this.options.events({ type: 'challenge.solved', address, signals });
        return { type: 'pass' };
      }
      this.options.events({ type: 'challenge.failed', address, signals, reason: verdict.reason });
      return { type: 'challenge', challenge: await this.#issue(address, signals), retryAfterSeconds, failure: verdict.reason };
    }
    return { type: 'challenge', challenge: await this.#issue(address, signals), retryAfterSeconds };
  }

  async #issue(address: string, signals: readonly string[]): Promise<Challenge> {
    const challenge = await this.options.pow.issue(address);
    this.options.events({ type: 'challenge.issued', address, signals });
    return challenge;
  }

  async #pressureOn(
    clientIp: string,
    address: string,
  ): Promise<{ signals: (PressureSignal | 'always')[]; retryAfterSeconds: number }> {
    if (this.options.mode === 'always') return { signals: ['always'], retryAfterSeconds: this.options.alwaysRetryAfterSeconds };
    return this.options.monitor.assess({
      network: networkOf(clientIp, this.options.networkPrefixes),
      domain: address.slice(address.lastIndexOf('@') + 1),
    });
  }
}
