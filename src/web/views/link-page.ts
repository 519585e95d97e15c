import type { Locale } from '../../i18n/index.js';
import { html, type SafeHtml } from '../html.js';
import type { FieldMessage } from '../outcome-messages.js';
import type { PagePaths } from '../page-paths.js';
import { csrfField, formMessage } from './form-parts.js';
import { pageMessages } from './translate-html.js';

export interface LinkPageModel {
  locale: Locale;
  paths: PagePaths;
  csrfToken: string;
  token: string;
  /** Set when the link was refused: the page then offers a new code instead of the button. */
  message?: FieldMessage;
}

/**
 * "Confirm it's you": what the one-time link opens. Opening it changes nothing — mail scanners open
 * every link they see — so the one action is a button that POSTs.
 */
export function linkPage(model: LinkPageModel): SafeHtml {
  const { t } = pageMessages(model.locale);
  if (model.message !== undefined) {
    return html`<h1>${t('link.title')}</h1>
${formMessage(model.message)}
<p><a class="button" href="${model.paths.request}">${t('landing.request')}</a></p>`;
  }
  return html`<h1>${t('link.title')}</h1>
<p>${t('link.intro')}</p>
<form method="post" action="${model.paths.link(model.token)}">
${csrfField(model.csrfToken)}
<button type="submit">${t('link.submit')}</button>
</form>
<p><a href="${model.paths.verify}">${t('link.useCode')}</a></p>`;
}
