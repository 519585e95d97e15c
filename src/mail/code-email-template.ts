import escapeHtml from 'escape-html';
import { defaultLocale, type Locale, translate } from '../i18n/index.js';
import { codeEmailSubject, lifetimeInWords, purposeInstruction } from './code-email-wording.js';

export interface CodeEmailInput {
  code: string;
  /** `sign-in`, `verify-email`, `confirm-action`, or an app-defined purpose shown as-is. */
  purpose: string;
  /** What the code is bound to ("Pay 120.00 EUR to ACME Ltd"), shown so the reader can check it. */
  context?: string | undefined;
  ttlSeconds: number;
  appName: string;
  /** The language of every word in the email. @default 'en' */
  locale?: Locale;
  /**
   * The one-time link (absolute URL) that does what the code does. It opens a "Confirm it's you" page,
   * never verifies by itself: mail scanners open links. Left out when absent.
   */
  linkUrl?: string | undefined;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Every sentence of the email in one language, built once for both bodies. */
interface Wording {
  subject: string;
  intro: string;
  instruction: string;
  contextLine: string | undefined;
  linkIntro: string;
  linkButton: string;
  doNotShare: string;
  ignore: string;
  preheader: string;
}

/**
 * Renders a code email in plain text and HTML, in the reader's language.
 *
 * The subject never holds the code: subjects show on lock screens and in notification previews,
 * and mail relays log them.
 *
 * @example
 *   const { subject, text, html } = renderCodeEmail({ code: '042917', purpose: 'sign-in', ttlSeconds: 300, appName: 'otp-app' });
 *   // subject === 'Your otp-app sign-in code'
 */
export function renderCodeEmail(input: CodeEmailInput): RenderedEmail {
  const locale = input.locale ?? defaultLocale;
  const lifetime = lifetimeInWords(input.ttlSeconds, locale);
  const wording: Wording = {
    subject: codeEmailSubject(locale, input.purpose, input.appName),
    intro: translate(locale, 'email.intro', { appName: input.appName }),
    instruction: `${purposeInstruction(locale, input.purpose)} ${translate(locale, 'email.validFor', { lifetime })}`,
    contextLine: input.context === undefined ? undefined : translate(locale, 'email.context', { context: input.context }),
    linkIntro: translate(locale, 'email.linkIntro'),
    linkButton: translate(locale, 'email.linkButton'),
    doNotShare: translate(locale, 'email.doNotShare'),
    ignore: translate(locale, 'email.ignore'),
    // The preview line under the subject in most inboxes; set it so it does not show the code either.
    preheader: translate(locale, 'email.preheader', { appName: input.appName, lifetime }),
  };
  return { subject: wording.subject, text: renderText(input, wording), html: renderHtml(input, locale, wording) };
}

function renderText(input: CodeEmailInput, wording: Wording): string {
  const lines = [wording.intro, '', `    ${input.code}`, '', wording.instruction];
  if (wording.contextLine !== undefined) lines.push('', wording.contextLine);
  if (input.linkUrl !== undefined) lines.push('', wording.linkIntro, input.linkUrl);
  lines.push('', wording.doNotShare, wording.ignore, '');
  return lines.join('\n');
}

// Email clients ignore <style> blocks and external CSS unevenly, so layout is tables with inline
// styles. No images: many clients block them and they would let the sender track opens.
const fontStack = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const monoStack = "'SFMono-Regular',Menlo,Consolas,'Liberation Mono',monospace";
const textCell = `padding:0 32px 16px;font-family:${fontStack};font-size:16px;line-height:24px;color:#18181b;`;
const codeStyle =
  `display:inline-block;padding:12px 20px;border-radius:6px;background-color:#f4f4f5;` +
  `font-family:${monoStack};font-size:32px;line-height:40px;font-weight:700;letter-spacing:8px;` +
  // One click selects the whole code where supported; the spacing is visual only, so copying gives the bare digits.
  `color:#18181b;-webkit-user-select:all;user-select:all;`;
const linkButtonStyle =
  `display:inline-block;padding:12px 20px;border-radius:6px;background-color:#0b57d0;color:#ffffff;` +
  `font-family:${fontStack};font-size:16px;line-height:24px;font-weight:600;text-decoration:none;`;
const smallText = 'color:#52525b;font-size:14px;line-height:20px;';

function renderHtml(input: CodeEmailInput, locale: Locale, wording: Wording): string {
  const e = escapeHtml;
  const contextRow =
    wording.contextLine === undefined ? '' : `<tr><td style="${textCell}"><strong>${e(wording.contextLine)}</strong></td></tr>\n`;
  const linkRows =
    input.linkUrl === undefined
      ? ''
      : `<tr><td style="${textCell}">${e(wording.linkIntro)}</td></tr>
<tr><td style="padding:0 32px 16px;text-align:center;"><a href="${e(input.linkUrl)}" style="${linkButtonStyle}">${e(wording.linkButton)}</a></td></tr>
<tr><td style="${textCell}${smallText}word-break:break-all;">${e(input.linkUrl)}</td></tr>
`;
  return `<!DOCTYPE html>
<html lang="${e(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(wording.subject)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f4f5;">
<div style="display:none;max-height:0;overflow:hidden;">${e(wording.preheader)}</div>
<table role="presentation" style="width:100%;border-collapse:collapse;background-color:#f4f4f5;">
<tr><td style="padding:24px 12px;">
<table role="presentation" style="width:100%;max-width:480px;margin:0 auto;border-collapse:collapse;background-color:#ffffff;border-radius:8px;">
<tr><td style="${textCell}padding-top:32px;">${e(wording.intro)}</td></tr>
<tr><td style="padding:0 32px 16px;text-align:center;"><span style="${codeStyle}">${e(input.code)}</span></td></tr>
<tr><td style="${textCell}">${e(wording.instruction)}</td></tr>
${contextRow}${linkRows}<tr><td style="${textCell}">${e(wording.doNotShare)}</td></tr>
<tr><td style="${textCell}padding-bottom:32px;${smallText}">${e(wording.ignore)}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}
