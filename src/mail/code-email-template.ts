import escapeHtml from 'escape-html';
import { lifetimeInWords, purposePhrase, purposeSubjectLabel } from './code-email-wording.js';

export interface CodeEmailInput {
  code: string;
  /** `sign-in`, `verify-email`, `confirm-action`, or an app-defined purpose shown as-is. */
  purpose: string;
  /** What the code is bound to ("Pay 120.00 EUR to ACME Ltd"), shown so the reader can check it. */
  context?: string;
  ttlSeconds: number;
  appName: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const ignoreLine = 'If you did not ask for this code, you can ignore this email.';
const doNotShareLine = 'Do not share this code with anyone.';

/**
 * Renders a code email in plain text and HTML.
 *
 * The subject never holds the code: subjects show on lock screens and in notification previews,
 * and mail relays log them.
 *
 * @example
 *   const { subject, text, html } = renderCodeEmail({ code: '042917', purpose: 'sign-in', ttlSeconds: 300, appName: 'otp-app' });
 *   // subject === 'Your otp-app sign-in code'
 */
export function renderCodeEmail(input: CodeEmailInput): RenderedEmail {
  const subject = `Your ${input.appName} ${purposeSubjectLabel(input.purpose)} code`;
  const instruction = `Enter this code ${purposePhrase(input.purpose)}. It is valid for ${lifetimeInWords(input.ttlSeconds)}.`;
  const contextLine = input.context === undefined ? undefined : `You are confirming: ${input.context}`;
  return {
    subject,
    text: renderText(input, instruction, contextLine),
    html: renderHtml(input, subject, instruction, contextLine),
  };
}

function renderText(input: CodeEmailInput, instruction: string, contextLine: string | undefined): string {
  const lines = [`Your code for ${input.appName}:`, '', `    ${input.code}`, '', instruction];
  if (contextLine !== undefined) lines.push('', contextLine);
  lines.push('', doNotShareLine, ignoreLine, '');
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

function renderHtml(
  input: CodeEmailInput,
  subject: string,
  instruction: string,
  contextLine: string | undefined,
): string {
  const e = escapeHtml;
  const contextRow =
    contextLine === undefined ? '' : `<tr><td style="${textCell}"><strong>${e(contextLine)}</strong></td></tr>`;
  // The preview line under the subject in most inboxes; set it so it does not show the code either.
  const preheader = `Your ${input.appName} code is inside. It is valid for ${lifetimeInWords(input.ttlSeconds)}.`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(subject)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f4f5;">
<div style="display:none;max-height:0;overflow:hidden;">${e(preheader)}</div>
<table role="presentation" style="width:100%;border-collapse:collapse;background-color:#f4f4f5;">
<tr><td style="padding:24px 12px;">
<table role="presentation" style="width:100%;max-width:480px;margin:0 auto;border-collapse:collapse;background-color:#ffffff;border-radius:8px;">
<tr><td style="${textCell}padding-top:32px;">Your code for <strong>${e(input.appName)}</strong>:</td></tr>
<tr><td style="padding:0 32px 16px;text-align:center;"><span style="${codeStyle}">${e(input.code)}</span></td></tr>
<tr><td style="${textCell}">${e(instruction)}</td></tr>
${contextRow}
<tr><td style="${textCell}">${e(doNotShareLine)}</td></tr>
<tr><td style="${textCell}padding-bottom:32px;color:#52525b;font-size:14px;line-height:20px;">${e(ignoreLine)}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}
