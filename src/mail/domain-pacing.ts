import { MailDeliveryError } from './mail-delivery-error.js';
import type { ClaimedMessage } from './outbox-store.js';

/**
 * Port: the deployment-wide pacing state (the database), so the rate holds across worker processes.
 * Each method is one atomic statement.
 */
export interface DomainPacingStore {
  /**
   * Reserves the domain's next sending slot, if that slot is no later than `latestSlotAtMs`: GCRA, one
   * slot every `intervalMs` (times the domain's slow-down factor while it lasts), up to `burstMs` ahead.
   * @returns the slot's time (≤ nowMs: send now), or null when the next slot is later than allowed
   */
  reserveSlot(input: {
    domain: string;
    nowMs: number;
    intervalMs: number;
    burstMs: number;
    latestSlotAtMs: number;
  }): Promise<number | null>;
  /**
   * Puts a claimed message back in the queue until `untilMs` without spending a delivery attempt (the
   * claim's count is given back), holding `slotAtMs` if it has one. False when the claim no longer holds it.
   */
  postpone(
    id: string,
    input: { claimedAttempts: number; nowMs: number; untilMs: number; slotAtMs: number | null },
  ): Promise<boolean>;
  /** A send failed before the domain saw it (our transport): the slot it took goes back to the domain. */
  giveBack(input: { domain: string; nowMs: number; intervalMs: number }): Promise<void>;
  /** The domain deferred a message: its interval doubles (up to `maxSlowFactor`) until `nowMs + slowedForMs`, and its next slot moves one interval on. */
  slowDown(input: {
    domain: string;
    nowMs: number;
    intervalMs: number;
    slowedForMs: number;
    maxSlowFactor: number;
  }): Promise<void>;
}

export interface DomainPacingOptions {
  /** OUTBOX_DOMAIN_RATE_PER_MINUTE (> 0). */
  ratePerMinute: number;
  /**
   * The large mailbox providers (OTP_LARGE_PROVIDER_DOMAINS) and their rate
   * (OUTBOX_LARGE_PROVIDER_RATE_PER_MINUTE): a provider that takes mail for millions of people must get
   * more slots than one company does, or a few hundred requests to made-up addresses there would take
   * every slot of a code's lifetime and every real person's code at that provider would expire unsent.
   */
  largeProviders?: { domains: readonly string[]; ratePerMinute: number };
}

/** One rate's spacing: an interval between slots and the burst an idle domain gets first. */
interface Spacing {
  intervalMs: number;
  burstMs: number;
}

function spacingOf(ratePerMinute: number): Spacing {
  if (!(ratePerMinute > 0)) throw new RangeError('DomainPacing needs a rate above 0');
  const intervalMs = 60_000 / ratePerMinute;
  return { intervalMs, burstMs: Math.max(0, burstSeconds * 1000 - intervalMs) };
}

/** What the pacing decided for a claimed message: send it now, or it has been put back (no attempt spent). */
export type PacingDecision = { send: true } | { send: false; untilMs: number; holdsSlot: boolean };

/** A burst of this many seconds' worth of the rate goes at once to an idle domain, then one per interval. */
const burstSeconds = 10;
/** How long a deferral slows its domain; each further deferral in that time doubles the slow-down again. */
const slowedForMs = 10 * 60_000;
/** At most this much slower than the configured rate (1/16: 60 a minute become ≈4). */
const maxSlowFactor = 16;
/** A slot this close to the code's expiry is no use: the send itself takes time. */
const slotBeforeExpiryMarginMs = 1000;

/**
 * Paces the outbox per recipient domain, for the whole deployment: at most `ratePerMinute` emails a
 * minute to one domain on average, after a short burst, so a burst of requests (or a mail-bomb aimed at
 * one company) does not get the sender throttled. A message over the rate reserves its slot and waits
 * in the queue until then — no attempt spent, the claim moving on to other mail, so other domains are
 * not held up — and a message whose code expires before any slot waits until its code expires, where
 * the worker ends it `expired` as any other. A deferral (4xx) from a domain slows that domain.
 */
export class DomainPacing {
  readonly #spacing: Spacing;
  readonly #largeProviderSpacing: Spacing | undefined;
  readonly #largeProviders: ReadonlySet<string>;

  constructor(
    private readonly store: DomainPacingStore,
    options: DomainPacingOptions,
  ) {
    this.#spacing = spacingOf(options.ratePerMinute);
    this.#largeProviderSpacing = options.largeProviders && spacingOf(options.largeProviders.ratePerMinute);
    this.#largeProviders = new Set(options.largeProviders?.domains ?? []);
  }

  #spacingFor(domain: string): Spacing {
    return (this.#largeProviders.has(domain) ? this.#largeProviderSpacing : undefined) ?? this.#spacing;
  }

  /** Before a send: whether `message` may go now. When not, it is already back in the queue. */
  async admit(message: ClaimedMessage, nowMs: number): Promise<PacingDecision> {
    const held = message.pacingSlotAtMs ?? null;
    // Its turn: it reserved this slot when it was first claimed.
    if (held !== null && held <= nowMs) return { send: true };
    if (held !== null) return this.#postpone(message, nowMs, held, held);

    const domain = recipientDomain(message.recipient);
    const latestSlotAtMs = message.expiresAtMs - slotBeforeExpiryMarginMs;
    const slot = await this.store.reserveSlot({
      domain,
      nowMs,
      ...this.#spacingFor(domain),
      latestSlotAtMs,
    });
    if (slot === null) return this.#postpone(message, nowMs, message.expiresAtMs, null);
    if (slot <= nowMs) return { send: true };
    return this.#postpone(message, nowMs, slot, slot);
  }

  /**
   * After a failed send: a deferral from the recipient's domain slows that domain down; a failure of
   * our own transport (the domain never saw the email) gives the slot back, so an SMTP outage does not
   * use up a domain's slots for the emails waiting behind it.
   */
  async noteFailure(message: ClaimedMessage, error: unknown, nowMs: number): Promise<void> {
    const domain = recipientDomain(message.recipient);
    if (isDomainDeferral(error)) {
      await this.store.slowDown({ domain, nowMs, intervalMs: this.#spacingFor(domain).intervalMs, slowedForMs, maxSlowFactor });
    } else if (!reachedTheDomain(error)) {
      await this.store.giveBack({ domain, nowMs, intervalMs: this.#spacingFor(domain).intervalMs });
    }
  }

  async #postpone(message: ClaimedMessage, nowMs: number, untilMs: number, slotAtMs: number | null): Promise<PacingDecision> {
    await this.store.postpone(message.id, { claimedAttempts: message.attempts, nowMs, untilMs, slotAtMs });
    return { send: false, untilMs, holdsSlot: slotAtMs !== null };
  }
}

/**
 * Whether a failure is the recipient's domain asking us to slow down: a 4xx reply (421, 450, 451, …)
 * to the recipient or the message (RCPT, DATA), or an enhanced status 4.x.x there. A refused connection
 * or a 421 greeting is about the transport instead (failover-transport.ts), not about a domain.
 */
export function isDomainDeferral(error: unknown): boolean {
  if (!(error instanceof MailDeliveryError) || !reachedTheDomain(error)) return false;
  const { responseCode } = error;
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) return true;
  return /\b4\.\d{1,3}\.\d{1,3}\b/.test(error.message);
}

/** Whether the failure was a reply to the recipient or the message (RCPT, DATA): the domain's answer. */
function reachedTheDomain(error: unknown): boolean {
  return error instanceof MailDeliveryError && (error.errorCode === 'EENVELOPE' || error.errorCode === 'EMESSAGE');
}

/** The domain part of a normalised address (already lower-case A-labels: see email-address.ts). */
export function recipientDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
