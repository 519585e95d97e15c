import type { DeliveryStatus } from './code-delivery.js';
import type { UndeliveredCode } from './undeliverable-codes.js';

/**
 * Port: the persistence the core needs. Every method is one atomic unit (a single statement or one
 * transaction), so limits hold when many requests — or many processes — race.
 */
export interface OtpStore {
  /** Stores the code and queues its (sealed) email in the same transaction: neither exists without the other. */
  issueCode(input: IssueCodeInput): Promise<IssueCodeResult>;
  /** Where the code's email is; null for an unknown id, or a code another flow asked for. */
  deliveryStatus(codeId: string, flowKey: string): Promise<DeliveryStatus | null>;
  reserveAttempt(input: ReserveAttemptInput): Promise<ReserveAttemptResult>;
  /** Burns every live code of the generation if `codeId` is still live and unexpired; true for the one winner. */
  consumeCode(input: ConsumeCodeInput): Promise<boolean>;
  /** The code a one-time link belongs to, with its challenge's address and purpose; null for an unknown link. */
  findCodeByLinkHash(linkHash: string): Promise<LinkedCode | null>;
  /** See UndeliverableCodes.withdrawUndeliveredCode: the message failed and the code withdrawn, in one transaction. */
  withdrawUndeliveredCode(input: WithdrawUndeliveredCodeInput): Promise<boolean>;
}

export interface WithdrawUndeliveredCodeInput extends UndeliveredCode {
  nowMs: number;
  /** The send-cap window, to give back the send that never reached anyone. */
  sendWindowMs: number;
}

export interface IssueCodeInput {
  codeId: string;
  address: string;
  purpose: string;
  /** The flow that asked (see verification-flow.ts), hashed: its codes, budget and cooldown are its own. */
  flowKey: string;
  /** The mailbox the address delivers to (canonical-mailbox.ts): sends and cooldowns are counted on it too. */
  mailbox: string;
  keyId: string;
  codeHash: string;
  clientIp: string | null;
  /** The code email, sealed (encrypted) by the core: the outbox never holds it in clear. */
  sealedEmail: string;
  recipient: string;
  /** SHA-256 of the one-time link mailed with the code, stored on the same row: using either burns both. */
  linkTokenHash?: string;
  nowMs: number;
  expiresAtMs: number;
  resendCooldownMs: number;
  sendLimit: number;
  sendWindowMs: number;
  dailySendLimit: number;
  maxLiveCodes: number;
  maxAttemptsPerCode: number;
}

export type IssueCodeResult =
  | { ok: true }
  | { ok: false; reason: 'cooldown' | 'send_limit'; retryAfterMs: number }
  /** The deployment's daily mail cap is reached (daily-capped-otp-store.ts). */
  | { ok: false; reason: 'unavailable'; retryAfterMs: number };

export interface ReserveAttemptInput {
  address: string;
  purpose: string;
  flowKey: string;
  mailbox: string;
  nowMs: number;
  maxAttemptsPerCode: number;
  /**
   * Whether the attempt counts toward the mailbox's consecutive failures (and is refused once they reach
   * the limit): a typed code, when the flow holds an unexpired code to compare it with. Not the emailed
   * link: its 256 bits cannot be guessed, and it is the owner's way through a pause others caused.
   */
  countsTowardMailbox: boolean;
  addressFailureLimit: number;
  addressFailureWindowMs: number;
}

export type ReserveAttemptResult =
  | {
      ok: true;
      challengeId: string;
      generation: number;
      /** Attempts counted against this generation of the flow, this one included. */
      attemptsUsed: number;
      /** Codes of the generation still marked live, newest first, expired ones included. */
      codes: StoredCode[];
    }
  | { ok: false; reason: 'locked' }
  | { ok: false; reason: 'paused'; retryAfterMs: number };

export interface ConsumeCodeInput {
  challengeId: string;
  generation: number;
  codeId: string;
  /** A success starts the mailbox's consecutive failures over. */
  mailbox: string;
  nowMs: number;
}

export interface StoredCode {
  id: string;
  keyId: string;
  codeHash: string;
  expiresAtMs: number;
}

/** A code found by its link: enough to run the code's own policies (budget, expiry, pause) on the link. */
export interface LinkedCode {
  codeId: string;
  challengeId: string;
  generation: number;
  status: string;
  expiresAtMs: number;
  address: string;
  purpose: string;
  /** The flow the code belongs to: the link runs that flow's budget, on any device. */
  flowKey: string;
}
