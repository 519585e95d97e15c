import type { Locale } from '../../i18n/index.js';
import { html, type SafeHtml } from '../html.js';
import type { FieldMessage } from '../outcome-messages.js';
import type { PagePaths } from '../page-paths.js';
import { csrfField, fieldError, formMessage } from './form-parts.js';
import { pageMessages } from './translate-html.js';

export interface RequestPageModel {
  locale: Locale;
  paths: PagePaths;
  csrfToken: string;
  email: string;
  message?: FieldMessage;
}

export function requestPage(model: RequestPageModel): SafeHtml {
  const { t } = pageMessages(model.locale);
  const emailError = fieldError('email', model.message);
  return html`<h1>${t('request.title')}</h1>
${formMessage(model.message)}
<form method="post" action="${model.paths.request}" novalidate>
${csrfField(model.csrfToken)}
<div class="field">
<label for="email">${t('request.emailLabel')}</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${model.email}"${emailError.attributes}>
${emailError.text}
</div>
<button type="submit">${t('request.submit')}</button>
</form>
<p><a href="${model.paths.verify}">${t('request.haveCode')}</a></p>`;
}
