/**
 * A message could not be handed over. The message text is safe to log: it is built only from the
 * SMTP reply and error codes, never from the email (whose body holds the code) or credentials.
 */
export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';
  /**
   * SMTP reply code when the server answered (550, 421, …). Kept apart from the text because
   * retries depend on it: 4xx is worth retrying later, 5xx will be refused again.
   */
  readonly responseCode?: number;
  /** Transport error code when there was no usable reply, such as ETIMEDOUT or ESOCKET. */
  readonly errorCode?: string;

  constructor(message: string, details: { responseCode?: number; errorCode?: string } = {}) {
    super(message);
    if (details.responseCode !== undefined) this.responseCode = details.responseCode;
    if (details.errorCode !== undefined) this.errorCode = details.errorCode;
  }
}

// Server replies are untrusted text that ends up in logs: one line, bounded length.
const maxReplyLength = 200;

/**
 * Turns whatever a transport threw into a MailDeliveryError. Only known, body-free fields of the
 * original are read (nodemailer's `responseCode`, `response`, `code`); its `message`, `cause` and
 * stack are dropped because some libraries quote the message or the connection URL there.
 *
 * @param secrets strings to blank out of the SMTP reply, e.g. the code, in case a server echoes it
 * @example
 *   catch (error) { throw toMailDeliveryError(error, [email.code]); }
 */
export function toMailDeliveryError(error: unknown, secrets: readonly string[] = []): MailDeliveryError {
  const redact = (text: string): string =>
    secrets.reduce((safe, secret) => (secret === '' ? safe : safe.replaceAll(secret, '[redacted]')), text);

  if (error instanceof MailDeliveryError) {
    return new MailDeliveryError(redact(error.message), detailsOf(error));
  }
  const fields = readTransportFields(error);
  if (fields.responseCode !== undefined) {
    const reply = oneLine(fields.response ?? String(fields.responseCode));
    return new MailDeliveryError(`SMTP server refused the message: ${redact(reply)}`, {
      responseCode: fields.responseCode,
      ...(fields.errorCode === undefined ? {} : { errorCode: fields.errorCode }),
    });
  }
  if (fields.errorCode !== undefined) {
    const detail = fields.originalCode ? ` (${fields.originalCode})` : '';
    return new MailDeliveryError(`Could not deliver through the SMTP server: ${fields.errorCode}${detail}`, {
      errorCode: fields.errorCode,
    });
  }
  return new MailDeliveryError('Mail transport failed without an SMTP reply');
}

function detailsOf(error: MailDeliveryError): { responseCode?: number; errorCode?: string } {
  return {
    ...(error.responseCode === undefined ? {} : { responseCode: error.responseCode }),
    ...(error.errorCode === undefined ? {} : { errorCode: error.errorCode }),
  };
}

interface TransportFields {
  responseCode?: number;
  response?: string;
  errorCode?: string;
  originalCode?: string;
}

function readTransportFields(error: unknown): TransportFields {
  if (typeof error !== 'object' || error === null) return {};
  const { responseCode, response, code, originalCode, timeoutType } = error as Record<string, unknown>;
  const fields: TransportFields = {};
  if (typeof responseCode === 'number') fields.responseCode = responseCode;
  if (typeof response === 'string') fields.response = response;
  if (typeof code === 'string') fields.errorCode = code;
  // Either says which wait or socket call failed (ECONNREFUSED, CONNECT_TIMEOUT): the useful part.
  const cause = typeof timeoutType === 'string' ? timeoutType : originalCode;
  if (typeof cause === 'string') fields.originalCode = cause;
  return fields;
}

function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are removed.
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > maxReplyLength ? `${flat.slice(0, maxReplyLength)}…` : flat;
}
