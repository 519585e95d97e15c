import type { Locale } from '../../i18n/index.js';
import { html, type SafeHtml } from '../html.js';
import type { PagePaths } from '../page-paths.js';
import { pageMessages } from './translate-html.js';

/** Where the success page hands the verification token back to, and the token. */
export interface TokenHandBack {
  url: string;
  token: string;
  /** The calling app's `state`, posted back beside the token. */
  state?: string | undefined;
}

export function successPage(locale: Locale, paths: PagePaths, address: string, handBack?: TokenHandBack): SafeHtml {
  const { t, tHtml } = pageMessages(locale);
  return html`<h1>${t('success.title')}</h1>
<p class="message success" role="status">${tHtml('success.proved', { address: html`<strong>${address}</strong>` })}</p>
<p>${t('success.used')}</p>
${handBack === undefined ? html`<p><a class="button secondary" href="${paths.start}">${t('success.done')}</a></p>` : returnForm(locale, handBack)}`;
}

/**
 * A POST form, not a link: the token must not end up in a URL (history, logs, Referer). No script
 * submits it, so the person presses the button; CSP form-action allows only RETURN_URL's origin.
 */
function returnForm(locale: Locale, handBack: TokenHandBack): SafeHtml {
  const { t } = pageMessages(locale);
  return html`<form method="post" action="${handBack.url}">
<input type="hidden" name="token" value="${handBack.token}">
${handBack.state === undefined ? '' : html`<input type="hidden" name="state" value="${handBack.state}">`}
<button type="submit">${t('success.continue')}</button>
</form>`;
}

/** Every refusal that is not about one form field: bad requests, limits, missing pages, our own faults. */
export function errorPage(locale: Locale, paths: PagePaths, title: string, message: string): SafeHtml {
  const { t } = pageMessages(locale);
  return html`<h1>${title}</h1>
<p class="message error" role="alert">${message}</p>
<p><a href="${paths.start}">${t('errorPage.back')}</a></p>`;
}
