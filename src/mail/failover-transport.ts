import type { Clock } from '../core/clock.js';
import { MailDeliveryError, toMailDeliveryError } from './mail-delivery-error.js';
import type { MailTransport, OutgoingMessage, SendReceipt } from './outgoing-message.js';
import { TransportCircuit, type TransportState } from './transport-circuit.js';

/** One of several transports, with a name for the logs (host:port, never credentials). */
export interface NamedTransport {
  name: string;
  transport: MailTransport;
}

export type FailoverEvent =
  | { type: 'mail.sent_via'; transport: string; primary: boolean }
  | { type: 'mail.transport_failed'; transport: string; error: string }
  | { type: 'mail.circuit_opened'; transport: string; coolOffMs: number };

export interface FailoverOptions {
  /**
   * Failures in a row after which a transport is skipped for `coolOffMs`.
   * @default 3 — one dropped connection does not take a provider out of rotation. A lone transport gets
   * Infinity from the runtime: with nothing to fail over to, skipping it would only turn a send that might
   * work into one that surely fails.
   */
  failureThreshold?: number;
  /** @default 60_000 — after it, the next send tries the transport again (one probe) */
  coolOffMs?: number;
  clock: Clock;
  events?: (event: FailoverEvent) => void;
}

/**
 * Whether a refusal is about us (the connection, our login, our reputation or policy) rather than the
 * recipient or the message: only then can another provider do better. 5xx to RCPT/DATA ("550 no such
 * user") is the recipient's and is final everywhere; 554 and enhanced 5.7.x codes are policy about the
 * sender (blocked IP, failed authentication), so another provider is worth a try.
 */
export function isAboutTheSender(error: MailDeliveryError): boolean {
  const { responseCode, errorCode } = error;
  if (responseCode === undefined) return true;
  if (responseCode < 500) return true;
  const aboutRecipientOrMessage = errorCode === 'EENVELOPE' || errorCode === 'EMESSAGE';
  if (!aboutRecipientOrMessage) return true;
  return responseCode === 554 || /\b5\.7\.\d{1,3}\b/.test(error.message);
}

/** The failover transport: a MailTransport that also tells each of its transports' state. */
export interface FailoverTransport extends MailTransport {
  send(message: OutgoingMessage): Promise<SendReceipt>;
  /** Each transport's circuit, failures in a row and last success, primary first (for /readyz and /metrics). */
  states(): TransportState[];
}

/**
 * Several transports, primary first. A send goes to the first whose circuit is closed; a failure about
 * the sender moves it to the next; a refusal about the recipient is returned at once. A send resolves with
 * the name of the transport that accepted it. A transport that
 * failed `failureThreshold` times in a row is skipped for `coolOffMs`, then tried again. When every
 * transport fails or is skipped, the send fails with a temporary error and the outbox retries it later.
 */
export function createFailoverTransport(transports: readonly NamedTransport[], options: FailoverOptions): FailoverTransport {
  if (transports.length === 0) throw new Error('createFailoverTransport needs at least one transport');
  const failureThreshold = options.failureThreshold ?? 3;
  const coolOffMs = options.coolOffMs ?? 60_000;
  // Per process: each process learns for itself that a provider is down (a few failed sends each).
  const circuits = transports.map(({ name }) => new TransportCircuit(name, failureThreshold, coolOffMs));

  return {
    async send(message: OutgoingMessage): Promise<SendReceipt> {
      let lastError: MailDeliveryError | undefined;
      for (const [index, { name, transport }] of transports.entries()) {
        const circuit = circuits[index]!;
        if (circuit.skips(options.clock.nowMs())) continue;
        try {
          await transport.send(message);
          circuit.recordSuccess(options.clock.nowMs());
          options.events?.({ type: 'mail.sent_via', transport: name, primary: index === 0 });
          return { transport: name };
        } catch (error) {
          const mailError = toMailDeliveryError(error);
          if (!isAboutTheSender(mailError)) throw mailError;
          lastError = mailError;
          if (circuit.recordFailure(options.clock.nowMs())) {
            options.events?.({ type: 'mail.circuit_opened', transport: name, coolOffMs });
          }
          options.events?.({ type: 'mail.transport_failed', transport: name, error: mailError.message });
        }
      }
      throw (
        lastError ??
        new MailDeliveryError('Every mail transport is cooling off after repeated failures', { errorCode: 'ECIRCUIT' })
      );
    },
    async verify(): Promise<void> {
      // Ready when any transport is: the others are the fallback.
      const results = await Promise.allSettled(transports.map(({ transport }) => transport.verify?.()));
      const failure = results.find((result) => result.status === 'rejected');
      if (results.every((result) => result.status === 'rejected') && failure) throw failure.reason;
    },
    async close(): Promise<void> {
      await Promise.all(transports.map(({ transport }) => transport.close()));
    },
    states(): TransportState[] {
      const nowMs = options.clock.nowMs();
      return circuits.map((circuit) => circuit.snapshot(nowMs));
    },
  };
}
