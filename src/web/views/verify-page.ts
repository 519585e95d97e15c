import { html, type SafeHtml } from '../html.js';
import type { FieldMessage } from '../outcome-messages.js';
import { csrfField, fieldError, formMessage, noticeMessage } from './form-parts.js';

export interface VerifyPageModel {
  csrfToken: string;
  email: string;
  code: string;
  codeLength: number;
  notice?: string;
  /** Where the email is, when that is worth saying ("still sending", "could not deliver"). */
  delivery?: { text: string; isProblem: boolean };
  message?: FieldMessage;
}

export function verifyPage(model: VerifyPageModel): SafeHtml {
  const emailError = fieldError('email', model.message);
  const codeError = fieldError('code', model.message);
  return html`<h1>Verify a code</h1>
${noticeMessage(model.notice)}
${deliveryMessage(model.delivery)}
${formMessage(model.message)}
<form method="post" action="/secure-otp/verify/" novalidate>
${csrfField(model.csrfToken)}
<div class="field">
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${model.email}"${emailError.attributes}>
${emailError.text}
</div>
<div class="field">
<label for="code">${model.codeLength}-digit code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="32" class="code-input" value="${model.code}"${codeError.attributes}>
${codeError.text}
</div>
<button type="submit">Verify</button>
</form>
${model.email === '' ? html`<p><a href="/secure-otp/request/">Request a code</a></p>` : resendForm(model)}`;
}

function resendForm(model: VerifyPageModel): SafeHtml {
  return html`<form method="post" action="/secure-otp/request/" class="secondary-form">
${csrfField(model.csrfToken)}
<input type="hidden" name="email" value="${model.email}">
<button type="submit" class="secondary">Send a new code</button>
</form>`;
}

function deliveryMessage(delivery: VerifyPageModel['delivery']): SafeHtml {
  if (delivery === undefined) return html``;
  return delivery.isProblem
    ? html`<p class="message error" role="alert">${delivery.text}</p>`
    : html`<p class="message notice" role="status">${delivery.text}</p>`;
}
