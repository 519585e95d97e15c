import { randomUUID } from 'node:crypto';
import { canonicalMailbox, deliveryKeyOf } from './canonical-mailbox.js';
import type { Clock } from './clock.js';
import type { CodeEmail, DeliveryStatus } from './code-delivery.js';
import type { CodeBinding, CodeDigest, CodeHasher } from './code-hash.js';
import { normalizeEmailAddress } from './email-address.js';
import { createLinkToken, hashLinkToken, isWellFormedLinkToken, type LinkVerifyOutcome } from './link-token.js';
import { type CodeGenerator, normalizeCodeInput } from './one-time-code.js';
import type { RequestOutcome, VerifyOutcome } from './otp-outcome.js';
import type { OtpPolicy } from './otp-policy.js';
import type { OtpStore, ReserveAttemptResult, StoredCode } from './otp-store.js';
import { admitEveryRequest, type RequestScreen } from './request-screen.js';
import type { SealedBox } from './sealed-box.js';
import type { SuppressionList } from './suppression-list.js';
import type { UndeliverableCodes, UndeliveredCode } from './undeliverable-codes.js';
import { flowKeyOf, sharedFlow } from './verification-flow.js';

/** A refused reservation, as the outcome a caller sees. */
function refusalOf(
  refused: Extract<ReserveAttemptResult, { ok: false }>,
): { ok: false; reason: 'locked' } | { ok: false; reason: 'paused'; retryAfterSeconds: number } {
  return refused.reason === 'paused'
    ? { ok: false, reason: 'paused', retryAfterSeconds: Math.ceil(refused.retryAfterMs / 1000) }
    : { ok: false, reason: 'locked' };
}

/** Never matches: its key id belongs to no key. */
const decoyDigest: CodeDigest = { keyId: '', hash: '0'.repeat(64) };

export interface OtpServiceDependencies {
  policy: OtpPolicy;
  store: OtpStore;
  /** Seals the queued email, which has to carry the code until it is sent. */
  sealer: SealedBox;
  hasher: CodeHasher;
  clock: Clock;
  codeGenerator: CodeGenerator;
  /** Told about every event worth a log line; never given a code. */
  events?: OtpEventListener;
  /** Addresses that get no mail (bounced, complained, added by hand); none when absent. */
  suppressions?: SuppressionList;
  /** Checks each request's recipient before a code is issued (disposable, mail-less, per-domain limit). */
  requestScreen?: RequestScreen;
}

export type OtpEvent =
  | { type: 'otp.requested'; address: string; purpose: string; codeId: string }
  | { type: 'otp.request_refused'; address: string; purpose: string; reason: string }
  | { type: 'otp.verified'; address: string; purpose: string }
  | { type: 'otp.failed'; address: string; purpose: string; reason: string };

export type OtpEventListener = (event: OtpEvent) => void;

export interface RequestCodeInput {
  address: string;
  purpose?: string;
  context?: string;
  clientIp?: string | null;
  /**
   * Who is asking (see verification-flow.ts): the code is bound to it, and only a verify naming the same
   * flow is compared with it. The hosted pages pass a secret kept in the browser's cookie, the API its
   * key. Callers that name none share one flow, and so one attempt budget per address. @default ''
   */
  flow?: string;
  /** Language of the email (`en`, `de`, …); see resolveLocale in src/i18n. @default 'en' */
  locale?: string;
  /**
   * Put a one-time link to the hosted pages in the email beside the code. Only the pages ask for it: a
   * back end calling the API expects its user to type the code into *its* app, and a link would spend
   * the code elsewhere. Never with a context: the link could not carry the binding. @default false
   */
  withLink?: boolean;
}

export interface VerifyLinkInput {
  /** The token from the one-time link (`/secure-otp/link/:token`). */
  token: string;
}

export interface VerifyCodeInput {
  address: string;
  code: string;
  purpose?: string;
  context?: string;
  /** The flow that asked for the code (see RequestCodeInput.flow); another flow's code is as good as none. */
  flow?: string;
}

/**
 * Requests and verifies one-time codes. Pure policy and crypto: storage, delivery, time and randomness
 * are injected, and every limit is enforced by an atomic store operation, never read-then-write here.
 *
 * @example
 * const outcome = await service.request({ address: 'anna@example.com' });
 * if (outcome.ok) await service.verify({ address: 'anna@example.com', code: '123456' });
 */
export class OtpService implements UndeliverableCodes {
  constructor(private readonly deps: OtpServiceDependencies) {}

  get policy(): OtpPolicy {
    return this.deps.policy;
  }

  async request(input: RequestCodeInput): Promise<RequestOutcome> {
    const { policy, store, clock, hasher } = this.deps;
    const address = normalizeEmailAddress(input.address);
    if (address === null) return { ok: false, reason: 'invalid_email' };
    const purpose = input.purpose ?? policy.purposes[0]!;
    if (!policy.purposes.includes(purpose)) return { ok: false, reason: 'invalid_purpose' };
    const context = input.context ?? '';
    // One primary-key read, before issueCode's transaction rather than inside it: a refused request
    // takes no lock and counts no send, and the requests that go on hold their locks no longer. An
    // address suppressed between this read and the commit is caught by the worker's check before the send.
    // First, so a suppressed address spends nothing of its domain's count.
    if (await this.deps.suppressions?.findSuppression(deliveryKeyOf(address), clock.nowMs())) {
      this.emit({ type: 'otp.request_refused', address, purpose, reason: 'undeliverable' });
      return { ok: false, reason: 'undeliverable' };
    }
    // Its own statements, outside issueCode's transaction: a hot per-domain counter row would otherwise
    // hold every request to that domain behind one transaction.
    const admitted = await (this.deps.requestScreen ?? admitEveryRequest).admit({ address, nowMs: clock.nowMs() });
    if (!admitted.ok) {
      this.emit({ type: 'otp.request_refused', address, purpose, reason: admitted.reason });
      return admitted;
    }

    const flowKey = flowKeyOf(input.flow ?? sharedFlow);
    const code = this.deps.codeGenerator.generate(policy.codeLength);
    const digest = hasher.digest({ purpose, address, context }, code);
    const nowMs = clock.nowMs();
    const codeId = randomUUID();
    const expiresAtMs = nowMs + policy.codeTtlSeconds * 1000;
    const linkToken = input.withLink === true && context === '' ? createLinkToken() : undefined;
    const email: CodeEmail = {
      to: address,
      code,
      purpose,
      ...(context === '' ? {} : { context }),
      expiresAtMs,
      ttlSeconds: policy.codeTtlSeconds,
      ...(linkToken === undefined ? {} : { linkToken }),
      ...(input.locale === undefined ? {} : { locale: input.locale }),
    };
    // A store that throws (database away) gives the screen's count back too: nothing was issued.
    const issued = await store
      .issueCode({
        codeId,
        address,
        purpose,
        flowKey,
        mailbox: canonicalMailbox(address),
        keyId: digest.keyId,
        codeHash: digest.hash,
        clientIp: input.clientIp ?? null,
        sealedEmail: this.deps.sealer.seal(JSON.stringify(email)),
        recipient: address,
        ...(linkToken === undefined ? {} : { linkTokenHash: hashLinkToken(linkToken) }),
        nowMs,
        expiresAtMs,
        resendCooldownMs: policy.resendCooldownSeconds * 1000,
        sendLimit: policy.sendLimit,
        sendWindowMs: policy.sendWindowSeconds * 1000,
        dailySendLimit: policy.dailySendLimit,
        maxLiveCodes: policy.maxLiveCodes,
        maxAttemptsPerCode: policy.maxAttemptsPerCode,
      })
      .catch(async (error: unknown) => {
        await admitted.release().catch(() => {});
        throw error;
      });
    if (!issued.ok) {
      await admitted.release();
      this.emit({ type: 'otp.request_refused', address, purpose, reason: issued.reason });
      return { ok: false, reason: issued.reason, retryAfterSeconds: Math.ceil(issued.retryAfterMs / 1000) };
    }
    // The email is queued, not sent: the response never waits on SMTP. The outbox worker delivers it.
    this.emit({ type: 'otp.requested', address, purpose, codeId });
    return {
      ok: true,
      codeId,
      address,
      expiresAt: new Date(expiresAtMs),
      resendAfter: new Date(nowMs + policy.resendCooldownSeconds * 1000),
    };
  }

  /**
   * Where a code's email is, so a page can say "still sending" or "could not deliver". Never the code.
   * Only the flow that asked for the code is told; to any other the id is unknown (null).
   */
  deliveryStatus(codeId: string, flow: string = sharedFlow): Promise<DeliveryStatus | null> {
    return this.deps.store.deliveryStatus(codeId, flowKeyOf(flow));
  }

  /**
   * An email that can never be delivered withdraws its code, and the person may ask again at once: the
   * cooldown and the send it took are given back, and the code it replaced comes back. The outbox worker
   * calls this when it gives up on a code's email; the message ends `failed` in the same transaction.
   */
  withdrawUndeliveredCode(input: UndeliveredCode): Promise<boolean> {
    const { policy, store, clock } = this.deps;
    return store.withdrawUndeliveredCode({ ...input, nowMs: clock.nowMs(), sendWindowMs: policy.sendWindowSeconds * 1000 });
  }

  async verify(input: VerifyCodeInput): Promise<VerifyOutcome> {
    const { policy, clock } = this.deps;
    const address = normalizeEmailAddress(input.address);
    if (address === null) return { ok: false, reason: 'invalid_email' };
    const purpose = input.purpose ?? policy.purposes[0]!;
    if (!policy.purposes.includes(purpose)) return { ok: false, reason: 'invalid_purpose' };
    // A malformed code costs no attempt: it cannot be a guess at the real one.
    const code = normalizeCodeInput(input.code, policy.codeLength);
    if (code === null) return { ok: false, reason: 'malformed_code' };

    const flowKey = flowKeyOf(input.flow ?? sharedFlow);
    const outcome = await this.verifyWellFormed(address, purpose, flowKey, input.context ?? '', code, clock.nowMs());
    if (outcome.ok) this.emit({ type: 'otp.verified', address, purpose });
    else this.emit({ type: 'otp.failed', address, purpose, reason: outcome.reason });
    return outcome;
  }

  /**
   * Verifies by the one-time link instead of the code, on any device. The link is the code's twin: it
   * counts against its flow's attempt budget, expires with it, and a success burns both. It is never
   * stopped by the mailbox's failure count: its 256 bits cannot be guessed, and it proves the mailbox,
   * so it is the owner's way through a pause that strangers' wrong guesses caused.
   */
  async verifyLink(input: VerifyLinkInput): Promise<LinkVerifyOutcome> {
    const { store, clock } = this.deps;
    if (!isWellFormedLinkToken(input.token)) return { ok: false, reason: 'invalid_link' };
    const linked = await store.findCodeByLinkHash(hashLinkToken(input.token));
    // Used, replaced or withdrawn: nothing to guess at, so no attempt is counted.
    if (linked === null || linked.status !== 'live') return { ok: false, reason: 'invalid_link' };
    const { address, purpose } = linked;
    const nowMs = clock.nowMs();
    if (linked.expiresAtMs <= nowMs) {
      this.emit({ type: 'otp.failed', address, purpose, reason: 'expired' });
      return { ok: false, reason: 'expired' };
    }
    const reservation = await this.reserveAttempt({ address, purpose, flowKey: linked.flowKey }, nowMs, false);
    if (!reservation.ok) {
      this.emit({ type: 'otp.failed', address, purpose, reason: reservation.reason });
      return refusalOf(reservation);
    }
    // The same single-use update as a code: of racing uses of the link and its code, one wins.
    const won =
      reservation.generation === linked.generation &&
      (await store.consumeCode({
        challengeId: reservation.challengeId,
        generation: reservation.generation,
        codeId: linked.codeId,
        mailbox: canonicalMailbox(address),
        nowMs,
      }));
    if (!won) {
      this.emit({ type: 'otp.failed', address, purpose, reason: 'invalid_link' });
      return { ok: false, reason: 'invalid_link' };
    }
    this.emit({ type: 'otp.verified', address, purpose });
    return { ok: true, address, purpose };
  }

  /** The service's own time, so pages count down the resend wait in the clock the limits use. */
  nowMs(): number {
    return this.deps.clock.nowMs();
  }

  private async verifyWellFormed(
    address: string,
    purpose: string,
    flowKey: string,
    context: string,
    code: string,
    nowMs: number,
  ): Promise<VerifyOutcome> {
    const { policy, store } = this.deps;
    const reservation = await this.reserveAttempt({ address, purpose, flowKey }, nowMs, true);
    if (!reservation.ok) return refusalOf(reservation);

    const { codes } = reservation;
    const unexpired = codes.filter((stored) => stored.expiresAtMs > nowMs);
    const matched = this.findMatch(unexpired, { purpose, address, context }, code);
    if (matched !== undefined) {
      const won = await store.consumeCode({
        challengeId: reservation.challengeId,
        generation: reservation.generation,
        codeId: matched.id,
        mailbox: canonicalMailbox(address),
        nowMs,
      });
      if (won) return { ok: true, address, purpose };
    }
    if (matched === undefined && unexpired.length === 0 && codes.length > 0) return { ok: false, reason: 'expired' };

    // This flow's own budget only: nothing in it tells of another flow's (the owner's) attempts or resends.
    const attemptsLeft = policy.maxAttemptsPerCode - reservation.attemptsUsed;
    if (attemptsLeft > 0) return { ok: false, reason: 'invalid_code', attemptsLeft };
    return { ok: false, reason: 'locked' };
  }

  /**
   * Counts the attempt before any comparison: however many guesses race, at most maxAttemptsPerCode of
   * them are ever compared against a generation of a flow's codes, and at most addressFailureLimit in a
   * row against the mailbox's codes, across every flow, until a success.
   */
  private reserveAttempt(
    key: { address: string; purpose: string; flowKey: string },
    nowMs: number,
    countsTowardMailbox: boolean,
  ): Promise<ReserveAttemptResult> {
    const { policy } = this.deps;
    return this.deps.store.reserveAttempt({
      ...key,
      mailbox: canonicalMailbox(key.address),
      nowMs,
      countsTowardMailbox,
      maxAttemptsPerCode: policy.maxAttemptsPerCode,
      addressFailureLimit: policy.addressFailureLimit,
      addressFailureWindowMs: policy.addressFailureWindowSeconds * 1000,
    });
  }

  /** Compares against every candidate, padded with decoys to maxLiveCodes, so timing says nothing about how many exist. */
  private findMatch(candidates: StoredCode[], binding: CodeBinding, code: string): StoredCode | undefined {
    const digests: CodeDigest[] = candidates.map((candidate) => ({ keyId: candidate.keyId, hash: candidate.codeHash }));
    while (digests.length < this.deps.policy.maxLiveCodes) digests.push(decoyDigest);
    return candidates[this.deps.hasher.firstMatch(binding, code, digests)];
  }

  private emit(event: OtpEvent): void {
    this.deps.events?.(event);
  }
}
