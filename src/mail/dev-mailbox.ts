import { randomUUID } from 'node:crypto';
import type { MailTransport, OutgoingMessage, SendReceipt } from './outgoing-message.js';

/** A message as the dev mailbox keeps it. */
export interface DevMailboxMessage extends OutgoingMessage {
  id: string;
  receivedAt: Date;
}

export interface DevMailboxOptions {
  /**
   * Messages kept; older ones are dropped.
   * @default 200 — enough to scroll back through a session, bounded so a loop cannot eat memory
   */
  capacity?: number;
  /** Clock for `receivedAt`; tests pass a fixed one. */
  now?: () => Date;
}

/**
 * A transport that keeps mail in memory instead of sending it, so a newcomer can try the whole flow
 * with no SMTP credentials; the web layer shows it at /dev/mailbox. Outside production only: it
 * holds live codes in plain text and shows them to anyone who can reach that page.
 *
 * @example
 *   const mailbox = new DevMailbox();
 *   await new CodeMailer({ transport: mailbox, from, appName }).deliverCode(email);
 *   mailbox.list()[0]?.text; // holds the code
 */
export class DevMailbox implements MailTransport {
  readonly capacity: number;
  readonly #now: () => Date;
  // Oldest first, so adding is a push and trimming drops from the front.
  #messages: DevMailboxMessage[] = [];

  constructor(options: DevMailboxOptions = {}) {
    const capacity = options.capacity ?? 200;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`DevMailbox capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#now = options.now ?? (() => new Date());
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    const { to, from, subject, text, html } = message;
    this.#messages.push({ id: randomUUID(), receivedAt: this.#now(), to, from, subject, text, html });
    if (this.#messages.length > this.capacity) {
      this.#messages.splice(0, this.#messages.length - this.capacity);
    }
    return { transport: 'dev-mailbox' };
  }

  /** Newest first. A copy, so callers cannot reorder the mailbox. */
  list(): DevMailboxMessage[] {
    return this.#messages.slice().reverse();
  }

  /** The message with this id, or undefined when it never existed or was dropped. */
  get(id: string): DevMailboxMessage | undefined {
    return this.#messages.find((message) => message.id === id);
  }

  clear(): void {
    this.#messages = [];
  }

  async close(): Promise<void> {}
}
