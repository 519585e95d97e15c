import { html, type SafeHtml } from '../html.js';
import type { FieldMessage } from '../outcome-messages.js';
import { csrfField, fieldError, formMessage } from './form-parts.js';

export interface RequestPageModel {
  csrfToken: string;
  email: string;
  message?: FieldMessage;
}

export function requestPage(model: RequestPageModel): SafeHtml {
  const emailError = fieldError('email', model.message);
  return html`<h1>Request a code</h1>
${formMessage(model.message)}
<form method="post" action="/secure-otp/request/" novalidate>
${csrfField(model.csrfToken)}
<div class="field">
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${model.email}"${emailError.attributes}>
${emailError.text}
</div>
<button type="submit">Send me a code</button>
</form>
<p><a href="/secure-otp/verify/">I already have a code</a></p>`;
}
