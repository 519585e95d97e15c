import { afterEach, describe, expect, it } from 'vitest';
import type { CodeEmail } from '../../src/core/code-delivery.js';
import { CodeMailer } from '../../src/mail/code-mailer.js';
import { DevMailbox } from '../../src/mail/dev-mailbox.js';
import { MailDeliveryError } from '../../src/mail/mail-delivery-error.js';
import type { MailTransport } from '../../src/mail/outgoing-message.js';
import { createSmtpTransport } from '../../src/mail/smtp-transport.js';
import { type SmtpTestServerOptions, startSmtpTestServer } from '../support/smtp-test-server.js';

const from = 'otp-app <no-reply@otp.example>';

function codeEmail(overrides: Partial<CodeEmail> = {}): CodeEmail {
  return {
    to: 'ada@example.com',
    code: '042917',
    purpose: 'sign-in',
    expiresAtMs: Date.parse('2030-01-01T00:05:00Z'),
    ttlSeconds: 300,
    ...overrides,
  };
}

describe('CodeMailer over a real SMTP server', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function mailerWithServer(options?: SmtpTestServerOptions) {
    const smtp = await startSmtpTestServer(options);
    const transport = createSmtpTransport({ smtpUrl: smtp.url, timeoutMs: 2_000 });
    cleanups.push(
      () => smtp.close(),
      () => transport.close(),
    );
    return { smtp, mailer: new CodeMailer({ transport, from, appName: 'otp-app' }) };
  }

  it('delivers the code in text and HTML to the right address, from the configured sender', async () => {
    const { smtp, mailer } = await mailerWithServer();
    await mailer.deliverCode(codeEmail());
    const [mail] = await smtp.waitForMessages(1);
    expect(mail?.to).toMatchObject({ value: [{ address: 'ada@example.com' }] });
    expect(mail?.from).toMatchObject({ value: [{ address: 'no-reply@otp.example', name: 'otp-app' }] });
    expect(mail?.subject).toBe('Your otp-app sign-in code');
    expect(mail?.subject).not.toContain('042917');
    expect(mail?.text).toContain('042917');
    expect(mail?.text).toContain('It is valid for 5 minutes.');
    expect(mail?.html).toContain('>042917</span>');
  });

  it('escapes a hostile context in the HTML that arrives', async () => {
    const { smtp, mailer } = await mailerWithServer();
    await mailer.deliverCode(codeEmail({ purpose: 'confirm-action', context: '<script>alert(1)</script>' }));
    const [mail] = await smtp.waitForMessages(1);
    expect(mail?.html).not.toContain('<script>');
    expect(mail?.html).toContain('You are confirming: &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail?.text).toContain('You are confirming: <script>alert(1)</script>');
  });

  it('turns a refused recipient into a MailDeliveryError carrying 550 and no code', async () => {
    const { mailer } = await mailerWithServer({
      rejectRecipients: (address) =>
        address === 'ghost@example.com' ? { code: 550, message: 'No such user 042917' } : undefined,
    });
    const error = await mailer.deliverCode(codeEmail({ to: 'ghost@example.com' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailDeliveryError);
    const { message, responseCode } = error as MailDeliveryError;
    expect(responseCode).toBe(550);
    expect(message).toBe('SMTP server refused the message: 550 No such user [redacted]');
    expect(message).not.toContain('042917');
  });

  it('keeps a 421 distinguishable from a permanent refusal', async () => {
    const { mailer } = await mailerWithServer({ rejectRecipients: () => ({ code: 421, message: 'Try again later' }) });
    const error = await mailer.deliverCode(codeEmail()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'MailDeliveryError', responseCode: 421 });
  });
});

describe('CodeMailer with other transports', () => {
  it('renders into the dev mailbox, where a newcomer can read the code', async () => {
    const mailbox = new DevMailbox();
    await new CodeMailer({ transport: mailbox, from, appName: 'otp-app' }).deliverCode(codeEmail());
    const [received] = mailbox.list();
    expect(received).toMatchObject({ to: 'ada@example.com', from, subject: 'Your otp-app sign-in code' });
    expect(received?.text).toContain('042917');
  });

  it('does not pass on the text of an error from a careless transport', async () => {
    const careless: MailTransport = {
      send: async (message) => {
        throw new Error(`failed to send ${message.text}`);
      },
      close: async () => {},
    };
    const error = await new CodeMailer({ transport: careless, from, appName: 'otp-app' })
      .deliverCode(codeEmail())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect((error as Error).message).not.toContain('042917');
    expect((error as Error).cause).toBeUndefined();
  });
});

describe('an internationalised domain', () => {
  const unicodeAddress = 'anna@bücher.example';
  const aLabelAddress = 'anna@xn--bcher-kva.example';

  it('is handed to every transport as its A-label', async () => {
    const mailbox = new DevMailbox();
    await new CodeMailer({ transport: mailbox, from, appName: 'otp-app' }).deliverCode(codeEmail({ to: unicodeAddress }));
    expect(mailbox.list().map((message) => message.to)).toEqual([aLabelAddress]);
  });

  it('goes over the wire as its A-label, in RCPT TO and in the To header', async () => {
    const smtp = await startSmtpTestServer();
    const transport = createSmtpTransport({ smtpUrl: smtp.url, timeoutMs: 2_000 });
    try {
      await new CodeMailer({ transport, from, appName: 'otp-app' }).deliverCode(codeEmail({ to: unicodeAddress }));
      const [mail] = await smtp.waitForMessages(1);
      expect(smtp.envelopeCommands).toContain(`RCPT TO:<${aLabelAddress}>`);
      expect(smtp.envelopeCommands.join(' ')).not.toMatch(/[^ -~]/);
      expect(mail?.headerLines.find((header) => header.key === 'to')?.line).toBe(`To: ${aLabelAddress}`);
    } finally {
      await transport.close();
      await smtp.close();
    }
  });
});
