import type { Clock } from '../core/clock.js';
import { type CodeDelivery, parseCodeEmail } from '../core/code-delivery.js';
import type { DeliveryEvents } from '../core/delivery-events.js';
import type { SealedBox } from '../core/sealed-box.js';
import type { SuppressionList } from '../core/suppression-list.js';
import type { UndeliverableCodes } from '../core/undeliverable-codes.js';
import type { DomainPacing } from './domain-pacing.js';
import { isAboutTheSender } from './failover-transport.js';
import { MailDeliveryError } from './mail-delivery-error.js';
import type { ClaimedMessage, OutboxStore } from './outbox-store.js';
import { isPermanentFailure, type RetryPolicy, retryDelayMs } from './retry-backoff.js';
import { suppressionOfRecipient } from './suppressed-recipient.js';

/** How long before a code expires its email gets one last try. */
const lastTryMarginMs = 1000;

export type OutboxEvent =
  | { type: 'otp.sent'; id: string; recipient: string; attempts: number; queuedForMs: number; transport?: string }
  | { type: 'otp.delivery_paced'; id: string; recipient: string; waitMs: number; holdsSlot: boolean }
  | { type: 'otp.delivery_retry'; id: string; recipient: string; attempts: number; retryInMs: number; error: string }
  | { type: 'otp.delivery_failed' | 'otp.delivery_expired'; id: string; recipient: string; attempts: number; error: string }
  | { type: 'outbox.error'; error: unknown };

export interface OutboxWorkerOptions {
  store: OutboxStore;
  /** Told when an email can never be delivered, so its code is withdrawn (the OtpService). */
  undeliverable: UndeliverableCodes;
  delivery: CodeDelivery;
  sealer: SealedBox;
  clock: Clock;
  retry: RetryPolicy;
  /** Sends in flight at once; match the SMTP pool size. @default 5 */
  concurrency: number;
  /** How often to look for due mail when nobody calls wake(). @default 500 */
  pollIntervalMs: number;
  /** How long a claim holds before another worker may take the message over. @default 60000 */
  leaseMs: number;
  /** The send-cap window, to give back the send of an email whose code expired first. */
  sendWindowMs: number;
  /** Paces sends per recipient domain across every worker (domain-pacing.ts); absent: no pacing. */
  pacing?: DomainPacing;
  events?: (event: OutboxEvent) => void;
  /** Checked just before each send: mail for an address suppressed since it was queued is not sent. */
  suppressions?: SuppressionList;
  /**
   * Told when the recipient's server refuses the address for good (`550 5.1.1 no such user`): that is a
   * bounce, only sooner, so it is recorded as one — the code withdrawn and the address suppressed, as
   * when the same news comes back later as a DSN. Without it, the code is withdrawn only.
   */
  deliveryEvents?: DeliveryEvents;
}

/**
 * Delivers the outbox: claims due messages, sends them through the pooled transport, and records
 * each outcome. Crash-safe by lease: a message claimed by a worker that died is taken over once its
 * lease runs out, so delivery is at-least-once.
 */
export class OutboxWorker {
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private tickAgain = false;
  private running = false;
  private currentTick: Promise<void> = Promise.resolve();
  /** When the next claim looks for expired leases too (see tick). */
  private nextTakeoverCheckMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: OutboxWorkerOptions) {}

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  /** Looks for mail now, e.g. right after a request queued some. */
  wake(): void {
    if (this.running) this.schedule(0);
  }

  /**
   * Stops claiming and waits (at most `timeoutMs`) for the sends already under way — including those of
   * a claim that was in progress when stop() was called, so nothing is sent after it returns.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    let timeout: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timeout = setTimeout(resolve, timeoutMs);
    });
    const drained = this.currentTick.then(() => Promise.allSettled([...this.inFlight]));
    await Promise.race([drained, deadline]);
    clearTimeout(timeout);
  }

  /**
   * Claims and delivers everything due now, batch after batch, and resolves once every one of those
   * sends is recorded: how many messages it handled. Needs no start(); for tests and one-shot runs.
   * "Now" is the clock's time when it is called, so a retry it schedules is not due again in the same drain.
   */
  async drainOnce(): Promise<number> {
    const { store, clock, concurrency, leaseMs } = this.options;
    const nowMs = clock.nowMs();
    let handled = 0;
    for (;;) {
      const claimed = await store.claimDue({ nowMs, limit: concurrency, leaseMs });
      // Tracked like the loop's own sends, so stop() waits for these too.
      await Promise.all(claimed.map((message) => this.track(this.deliver(message))));
      handled += claimed.length;
      if (claimed.length < concurrency) return handled;
    }
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.currentTick = this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    try {
      const room = this.options.concurrency - this.inFlight.size;
      if (this.running && room > 0) {
        // A lease runs out only leaseMs after its claim, so looking for expired ones at every tick (a tick
        // follows every finished send) cost a statement per email for nothing: a quarter lease apart is
        // soon enough — a dead worker's mail waits at most leaseMs * 1.25 instead of leaseMs.
        const nowMs = this.options.clock.nowMs();
        const takeOverExpired = nowMs >= this.nextTakeoverCheckMs;
        if (takeOverExpired) this.nextTakeoverCheckMs = nowMs + this.options.leaseMs / 4;
        const claimed = await this.options.store.claimDue({ nowMs, limit: room, leaseMs: this.options.leaseMs, takeOverExpired });
        // Sent even if stop() came meanwhile: stop() waits for this tick and these sends (bounded).
        for (const message of claimed) this.track(this.deliver(message));
        if (claimed.length === room) this.tickAgain = true;
      }
    } catch (error) {
      this.options.events?.({ type: 'outbox.error', error });
    } finally {
      this.ticking = false;
      if (this.running) this.schedule(this.tickAgain ? 0 : this.options.pollIntervalMs);
      this.tickAgain = false;
    }
  }

  /** Counts a send as in flight until it is recorded; the returned promise settles then and never rejects. */
  private track(delivery: Promise<void>): Promise<void> {
    const tracked = delivery
      .catch((error: unknown) => this.options.events?.({ type: 'outbox.error', error }))
      .finally(() => {
        this.inFlight.delete(tracked);
        this.wake();
      });
    this.inFlight.add(tracked);
    return tracked;
  }

  private async deliver(message: ClaimedMessage): Promise<void> {
    const { store, clock } = this.options;
    if (message.expiresAtMs <= clock.nowMs()) {
      return this.giveUp(message, 'expired', 'the code expired before the email could be sent');
    }
    const opened = message.sealedBody === null ? null : this.options.sealer.open(message.sealedBody);
    if (opened === null) return this.giveUp(message, 'failed', 'the queued email could not be opened (secret key rotated out?)');
    // Checked, not cast: a row of the wrong shape fails this one message, not every send after it.
    const email = parseCodeEmail(opened);
    if (!email.ok) return this.giveUp(message, 'failed', email.reason);
    const suppressed = await suppressionOfRecipient(this.options.suppressions, message.recipient, clock.nowMs());
    if (suppressed !== null) return this.giveUp(message, 'failed', suppressed);
    // Over its domain's rate: already back in the queue until its slot, no attempt spent.
    const paced = await this.options.pacing?.admit(message, clock.nowMs());
    if (paced?.send === false) {
      const { id, recipient } = message;
      const waitMs = paced.untilMs - clock.nowMs();
      return this.options.events?.({ type: 'otp.delivery_paced', id, recipient, waitMs, holdsSlot: paced.holdsSlot });
    }

    // A slow send must not outlive its lease, or another worker (or this one) would take it over and send
    // it again: renew the lease while the send is under way.
    const heartbeat = setInterval(
      () => {
        const leaseUntilMs = clock.nowMs() + this.options.leaseMs;
        store.extendLease(message.id, { claimedAttempts: message.attempts, leaseUntilMs }).catch((error: unknown) => {
          this.options.events?.({ type: 'outbox.error', error });
        });
      },
      Math.max(50, Math.floor(this.options.leaseMs / 3)),
    );
    let receipt: Awaited<ReturnType<OutboxWorkerOptions['delivery']['deliverCode']>>;
    try {
      receipt = await this.options.delivery.deliverCode(email.email, { messageId: message.id });
    } catch (error) {
      return this.afterFailure(message, error);
    } finally {
      clearInterval(heartbeat);
    }
    const transport = receipt?.transport;
    await store.markSent(message.id, clock.nowMs(), transport);
    this.options.events?.({
      type: 'otp.sent',
      id: message.id,
      recipient: message.recipient,
      attempts: message.attempts,
      queuedForMs: clock.nowMs() - message.createdAtMs,
      ...(transport === undefined ? {} : { transport }),
    });
  }

  private async afterFailure(message: ClaimedMessage, error: unknown): Promise<void> {
    const description = error instanceof Error ? error.message : 'unknown delivery error';
    const mailError = error instanceof MailDeliveryError ? error : undefined;
    if (isPermanentFailure(mailError?.responseCode, mailError?.errorCode)) {
      // Refused for the recipient's sake, not ours (a blocked sender, failed authentication): a bounce.
      if (mailError !== undefined && !isAboutTheSender(mailError) && this.options.deliveryEvents !== undefined) {
        return this.bouncedAtOnce(message, this.options.deliveryEvents, description);
      }
      return this.giveUp(message, 'failed', description);
    }

    const nowMs = this.options.clock.nowMs();
    // A deferral from the recipient's domain slows that domain; the retry below still happens if this fails.
    await this.options.pacing
      ?.noteFailure(message, error, nowMs)
      .catch((cause: unknown) => this.options.events?.({ type: 'outbox.error', error: cause }));
    // The last try is made just before the code expires (an email for an expired code is pointless) or
    // when the give-up time comes, whichever is first; only a failure at that point ends the message.
    const expiryDeadlineMs = message.expiresAtMs - lastTryMarginMs;
    const giveUpAtMs = message.createdAtMs + this.options.retry.giveUpAfterMs;
    if (nowMs >= expiryDeadlineMs) return this.giveUp(message, 'expired', description);
    if (nowMs >= giveUpAtMs) return this.giveUp(message, 'failed', description);
    const nextAttemptAtMs = Math.min(nowMs + retryDelayMs(message.attempts, this.options.retry), expiryDeadlineMs, giveUpAtMs);
    await this.options.store.scheduleRetry(message.id, {
      nowMs,
      claimedAttempts: message.attempts,
      nextAttemptAtMs,
      error: description,
    });
    this.options.events?.({
      type: 'otp.delivery_retry',
      id: message.id,
      recipient: message.recipient,
      attempts: message.attempts,
      retryInMs: nextAttemptAtMs - nowMs,
      error: description,
    });
  }

  /**
   * Ends a message that will not be sent. A `failed` one is the core's business (its code is withdrawn
   * and the person may ask again at once); an `expired` one only gives back its send.
   */
  /** A synchronous permanent refusal of the recipient: recorded as the bounce it is (one transaction, see DeliveryEvents). */
  private async bouncedAtOnce(message: ClaimedMessage, deliveryEvents: DeliveryEvents, error: string): Promise<void> {
    await deliveryEvents.recordDeliveryEvent({ kind: 'bounce', permanent: true, messageId: message.id, diagnostic: error });
    this.options.events?.({
      type: 'otp.delivery_failed',
      id: message.id,
      recipient: message.recipient,
      attempts: message.attempts,
      error,
    });
  }

  private async giveUp(message: ClaimedMessage, status: 'failed' | 'expired', error: string): Promise<void> {
    const claimedAttempts = message.attempts;
    if (status === 'failed') {
      await this.options.undeliverable.withdrawUndeliveredCode({ codeId: message.id, claimedAttempts, error });
    } else {
      const { clock, sendWindowMs } = this.options;
      await this.options.store.giveUpExpired(message.id, { nowMs: clock.nowMs(), claimedAttempts, error, sendWindowMs });
    }
    const type = status === 'failed' ? 'otp.delivery_failed' : 'otp.delivery_expired';
    this.options.events?.({ type, id: message.id, recipient: message.recipient, attempts: message.attempts, error });
  }
}
