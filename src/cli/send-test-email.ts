import escapeHtml from 'escape-html';
import type { Config } from '../config/config.js';
import { normalizeEmailAddress } from '../core/email-address.js';
import { mailTransportFor, smtpTransportSettings } from '../runtime/otp-runtime.js';

/**
 * Sends one plain message through the configured transport and waits for the server's answer: the
 * quickest way to learn whether SMTP_URL (or the Gmail settings) really work, before any user needs a code.
 * `transportOption` (`--transport N`, 1-based) tests one transport of SMTP_URL's list alone, without
 * failover hiding that it is down.
 * Returns the exit code: 0 sent, 1 not sent (the reason is printed), 2 bad arguments.
 */
export async function sendTestEmail(config: Readonly<Config>, to: string | undefined, transportOption?: string): Promise<number> {
  const address = to === undefined ? null : normalizeEmailAddress(to);
  if (address === null) {
    console.error('send-test-email needs a valid address: otp-app send-test-email --to you@example.com');
    return 2;
  }
  if (config.mail.kind === 'dev-mailbox') {
    // The dev mailbox accepts everything and delivers nothing: a "success" would prove nothing.
    console.error(
      'No mail transport is configured (mail would stay in the dev mailbox). Set SMTP_URL, or GMAIL_ADDRESS and GMAIL_APP_PASSWORD.',
    );
    return 1;
  }
  const names = smtpTransportSettings(config).map(({ name }) => name);
  const only = transportOption === undefined ? undefined : transportNumber(transportOption, names.length);
  if (only === null) {
    console.error(
      `--transport must be a number from 1 to ${names.length}: the configuration lists ${names.length} transport${names.length === 1 ? '' : 's'} (${names.map((name, index) => `${index + 1} = ${name}`).join(', ')}).`,
    );
    return 2;
  }
  const { transport } = mailTransportFor(config, only === undefined ? {} : { only });
  const via =
    only !== undefined
      ? `transport ${only} (${names[only - 1]})`
      : config.mail.kind === 'gmail'
        ? 'Gmail (smtp.gmail.com:587)'
        : 'SMTP_URL';
  try {
    const receipt = await transport.send({
      to: address,
      from: config.mail.from,
      subject: `${config.appName}: test email`,
      text: `This is a test email from ${config.appName}. If you can read it, code emails will reach this mailbox too.`,
      html: `<p>This is a test email from ${escapeHtml(config.appName)}. If you can read it, code emails will reach this mailbox too.</p>`,
    });
    const took = only === undefined && receipt && names.length > 1 ? `; ${receipt.transport} took it` : '';
    console.log(`Sent a test email to ${address} through ${via}${took}.`);
    return 0;
  } catch (error) {
    // Transport errors carry the SMTP reply, never the message or the password.
    console.error(`Could not send the test email through ${via}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await transport.close();
  }
}

/** `--transport N` as a 1-based index into `count` transports; null when it is not one. */
function transportNumber(option: string, count: number): number | null {
  if (!/^\d+$/.test(option.trim())) return null;
  const n = Number(option.trim());
  return n >= 1 && n <= count ? n : null;
}
