import { domainToASCII } from 'node:url';
import type { CodeDelivery, CodeEmail } from '../core/code-delivery.js';
import { defaultLocale, isLocale } from '../i18n/index.js';
import { renderCodeEmail } from './code-email-template.js';
import { toMailDeliveryError } from './mail-delivery-error.js';
import type { MailTransport, SendReceipt } from './outgoing-message.js';

export interface CodeMailerOptions {
  transport: MailTransport;
  /** The From header, e.g. `otp-app <no-reply@example.com>`. */
  from: string;
  /** Shown in the subject and body, so the reader knows which service sent the code. */
  appName: string;
  /**
   * The one-time link for a token (the runtime builds it from PUBLIC_URL and the pages' paths: see
   * runtime/one-time-link.ts). Without it the email carries the code only.
   */
  linkUrl?: ((token: string) => string) | undefined;
  /**
   * The envelope sender of a message (its VERP address: runtime/verp-envelope.ts builds it from
   * BOUNCE_ADDRESS). Unset, or for a message without an outbox id, the transport uses `from`.
   */
  envelopeFrom?: ((message: { messageId: string; recipient: string }) => string) | undefined;
}

/**
 * Delivers code emails: renders the template and hands the result to a transport.
 *
 * @throws MailDeliveryError when the transport refuses; its text holds neither the body nor the
 *   code, and `responseCode` keeps the SMTP reply code so callers can retry 4xx and give up on 5xx.
 * @example
 *   const mailer = new CodeMailer({ transport: createSmtpTransport({ smtpUrl }), from, appName: 'otp-app' });
 *   await mailer.deliverCode({ to, code, purpose: 'sign-in', expiresAtMs, ttlSeconds: 300 });
 */
export class CodeMailer implements CodeDelivery {
  readonly #transport: MailTransport;
  readonly #from: string;
  readonly #appName: string;
  readonly #linkUrl: ((token: string) => string) | undefined;
  readonly #envelopeFrom: CodeMailerOptions['envelopeFrom'];

  constructor(options: CodeMailerOptions) {
    this.#transport = options.transport;
    this.#from = options.from;
    this.#appName = options.appName;
    this.#linkUrl = options.linkUrl;
    this.#envelopeFrom = options.envelopeFrom;
  }

  async deliverCode(email: CodeEmail, outbox?: { messageId: string }): Promise<SendReceipt | undefined> {
    const rendered = renderCodeEmail({
      code: email.code,
      purpose: email.purpose,
      context: email.context,
      ttlSeconds: email.ttlSeconds,
      appName: this.#appName,
      locale: isLocale(email.locale) ? email.locale : defaultLocale,
      linkUrl: email.linkToken === undefined ? undefined : this.#linkUrl?.(email.linkToken),
    });
    const to = asciiRecipient(email.to);
    const envelopeFrom = outbox === undefined ? undefined : this.#envelopeFrom?.({ messageId: outbox.messageId, recipient: to });
    try {
      const receipt = await this.#transport.send({
        to,
        from: this.#from,
        ...rendered,
        ...(envelopeFrom === undefined ? {} : { envelopeFrom }),
      });
      return receipt ? { transport: receipt.transport } : undefined;
    } catch (error) {
      // Any transport may be plugged in here, so do not trust its error text to be free of the code.
      throw toMailDeliveryError(error, email.linkToken === undefined ? [email.code] : [email.code, email.linkToken]);
    }
  }
}

/**
 * The recipient with its domain as an A-label (`anna@xn--bcher-kva.example`), for the envelope and the
 * To header alike: a server without SMTPUTF8 refuses `RCPT TO:<anna@bücher.example>`. Core already
 * normalises to this form; doing it here too means no transport, and no older record in the outbox,
 * depends on that (nor on nodemailer's own rule, which keeps Unicode when the local part has any).
 */
function asciiRecipient(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const domain = domainToASCII(address.slice(at + 1));
  return domain === '' ? address : `${address.slice(0, at)}@${domain}`;
}
