import { formatLifetime, type Locale } from '../../i18n/index.js';
import { html, type SafeHtml } from '../html.js';
import type { FieldMessage } from '../outcome-messages.js';
import type { PagePaths } from '../page-paths.js';
import { csrfField, fieldError, formMessage, noticeMessage } from './form-parts.js';
import { pageMessages } from './translate-html.js';

export interface VerifyPageModel {
  locale: Locale;
  paths: PagePaths;
  csrfToken: string;
  email: string;
  code: string;
  codeLength: number;
  notice?: string;
  /** Where the email is, when that is worth saying ("still sending", "could not deliver"). */
  delivery?: { text: string; isProblem: boolean };
  message?: FieldMessage;
  /** When the code runs out: said relative to now (`expiresInSeconds`); app.js shows `expiresAt` in local time. */
  expiresAt?: Date | undefined;
  expiresInSeconds?: number | undefined;
  /** Seconds until a new code may be sent: the resend button is disabled until then. */
  resendWaitSeconds?: number | undefined;
}

export function verifyPage(model: VerifyPageModel): SafeHtml {
  const { t } = pageMessages(model.locale);
  // A known address is shown, not edited (with a way to change it); an unknown or refused one is a field.
  const showAddress = model.email !== '' && model.message?.field !== 'email';
  const codeError = fieldError('code', model.message, 'code-hint');
  return html`<h1>${t('verify.title')}</h1>
${noticeMessage(model.notice)}
${deliveryMessage(model.delivery)}
${formMessage(model.message)}
<form method="post" action="${model.paths.verify}" novalidate>
${csrfField(model.csrfToken)}
${showAddress ? addressLine(model) : emailField(model)}
<div class="field">
<label for="code">${t('verify.codeLabel', { length: model.codeLength })}</label>
<p class="hint" id="code-hint">${t('verify.codeHint')}</p>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="32" class="code-input" value="${model.code}"${codeError.attributes}${showAddress ? html` autofocus` : ''}>
${codeError.text}
</div>
${expiryLine(model)}
<button type="submit">${t('verify.submit')}</button>
</form>
${model.email === '' ? html`<p><a href="${model.paths.request}">${t('verify.requestCode')}</a></p>` : resendForm(model)}`;
}

/**
 * The address the code went to, shown as text beside a way to change it (text, not a read-only field,
 * so a long address wraps on a phone instead of being clipped); the form sends it in a hidden field.
 */
function addressLine(model: VerifyPageModel): SafeHtml {
  const { t } = pageMessages(model.locale);
  return html`<div class="field">
<label for="email">${t('verify.emailLabel')}</label>
<div class="address-row">
<output id="email" class="address">${model.email}</output>
<a href="${model.paths.request}">${t('verify.change')}</a>
</div>
<input type="hidden" name="email" value="${model.email}">
</div>`;
}

function emailField(model: VerifyPageModel): SafeHtml {
  const { t } = pageMessages(model.locale);
  const emailError = fieldError('email', model.message);
  return html`<div class="field">
<label for="email">${t('verify.emailLabel')}</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${model.email}"${emailError.attributes}>
${emailError.text}
</div>`;
}

/**
 * The expiry relative to now ("in 5 minutes"): true in every time zone, and the server knows no reader's.
 * Where script runs, app.js puts the template's sentence in its place, with the clock time in the
 * reader's own zone, which stays true while the page sits open.
 */
function expiryLine(model: VerifyPageModel): SafeHtml {
  if (model.expiresAt === undefined || model.expiresInSeconds === undefined) return html``;
  const { t, tHtml } = pageMessages(model.locale);
  const time = html`<time datetime="${model.expiresAt.toISOString()}" data-local-time></time>`;
  return html`<p class="hint expiry">${t('verify.expiresIn', { lifetime: formatLifetime(model.locale, model.expiresInSeconds) })}<template data-local-expiry>${tHtml('verify.expiresAt', { time })}</template></p>`;
}

/**
 * During the cooldown the button is disabled and the wait is written out, so it works without
 * JavaScript; app.js counts the seconds down and enables the button at zero.
 */
function resendForm(model: VerifyPageModel): SafeHtml {
  const { t, tHtml } = pageMessages(model.locale);
  const wait = model.resendWaitSeconds;
  const waiting = wait !== undefined && wait > 0;
  return html`<form method="post" action="${model.paths.request}" class="secondary-form">
${csrfField(model.csrfToken)}
<input type="hidden" name="email" value="${model.email}">
<input type="hidden" name="resend" value="1">
<button type="submit" class="secondary" id="resend"${waiting ? html` disabled aria-describedby="resend-wait"` : ''}>${t('verify.resend')}</button>
${waiting ? html`<p class="hint" id="resend-wait" data-countdown="resend" data-seconds="${wait}">${tHtml('verify.resendWait', { seconds: html`<span data-countdown-seconds>${wait}</span>` })}</p>` : ''}
</form>`;
}

function deliveryMessage(delivery: VerifyPageModel['delivery']): SafeHtml {
  if (delivery === undefined) return html``;
  return delivery.isProblem
    ? html`<p class="message error" role="alert">${delivery.text}</p>`
    : html`<p class="message notice" role="status">${delivery.text}</p>`;
}
