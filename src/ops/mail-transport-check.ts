import type { MailTransport } from '../mail/outgoing-message.js';

export type MailTransportState =
  | { status: 'pending' }
  | { status: 'ok' }
  | { status: 'failed'; error: string }
  /** The transport has nothing to verify (the dev mailbox, a test double). */
  | { status: 'not_applicable' };

/**
 * Verifies the mail transport once at start (connect and log in), in the background: a mail server
 * that is down must not stop the app from starting, since the outbox keeps the email until it is back.
 * A later successful send also counts as proof that mail works.
 */
export class MailTransportCheck {
  #state: MailTransportState = { status: 'pending' };

  get state(): MailTransportState {
    return this.#state;
  }

  /** Starts the check; the returned promise never rejects. */
  start(transport: MailTransport): Promise<MailTransportState> {
    if (transport.verify === undefined) {
      this.#state = { status: 'not_applicable' };
      return Promise.resolve(this.#state);
    }
    return transport.verify().then(
      () => this.#settle({ status: 'ok' }),
      // MailDeliveryError messages come from the SMTP reply only: safe to show and log.
      (error: unknown) => this.#settle({ status: 'failed', error: error instanceof Error ? error.message : 'verify failed' }),
    );
  }

  /** An email went out: the transport works, whatever the start-up check said. */
  markDelivered(): void {
    if (this.#state.status !== 'not_applicable') this.#state = { status: 'ok' };
  }

  #settle(state: MailTransportState): MailTransportState {
    // A send that succeeded while the check was in flight already proved the point.
    if (this.#state.status === 'pending') this.#state = state;
    return this.#state;
  }
}
