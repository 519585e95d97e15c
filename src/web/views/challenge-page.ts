import type { Challenge } from 'altcha-lib';
import { formatWait, type Locale } from '../../i18n/index.js';
import { html, type SafeHtml } from '../html.js';
import type { PagePaths } from '../page-paths.js';
import { csrfField } from './form-parts.js';
import { pageMessages } from './translate-html.js';

export interface ChallengePageModel {
  locale: Locale;
  paths: PagePaths;
  csrfToken: string;
  /** The address as typed: the challenge is bound to it, so it is carried, not editable, here. */
  email: string;
  resend: boolean;
  challenge: Challenge;
  retryAfterSeconds: number;
  /** A refused answer came first: say so, and wait for the person to press the button again. */
  failure?: 'expired' | 'refused';
}

/**
 * The request form under pressure. With JavaScript the widget solves the challenge in the background
 * and the form is sent on by itself (pow-challenge.js); after a refused answer it waits for the button.
 * Without JavaScript, the <noscript> text says why no code can be sent now and when to try again.
 */
export function challengePage(model: ChallengePageModel): SafeHtml {
  const { t, tHtml } = pageMessages(model.locale);
  const failure =
    model.failure === undefined
      ? html``
      : html`<p class="message error" role="alert" id="form-error">${t(model.failure === 'expired' ? 'challenge.expired' : 'challenge.refused')}</p>
`;
  // The widget's own attribution and logo link to altcha.org: left out, nothing here leads off-site.
  const configuration = JSON.stringify({ hideFooter: true, hideLogo: true });
  return html`<h1>${t('request.title')}</h1>
${failure}<p class="message notice" role="status">${t('challenge.busy')}${
    // Only true where the script runs: pow-challenge.js shows it. Without JavaScript the <noscript> text speaks instead.
    model.failure === undefined ? html`<span data-pow-automatic hidden> ${t('challenge.automatic')}</span>` : ''
  }</p>
<noscript><p class="message error">${t('challenge.noScript', { wait: formatWait(model.locale, model.retryAfterSeconds) })}</p></noscript>
<form method="post" action="${model.paths.request}">
${csrfField(model.csrfToken)}
<input type="hidden" name="email" value="${model.email}">
${model.resend ? html`<input type="hidden" name="resend" value="1">` : ''}
<p>${tHtml('challenge.for', { address: html`<strong>${model.email}</strong>` })} · <a href="${model.paths.request}">${t('verify.change')}</a></p>
<altcha-widget data-pow-challenge${model.failure === undefined ? html` data-submit-when-solved` : ''} name="altcha" challenge="${JSON.stringify(model.challenge)}" configuration="${configuration}"></altcha-widget>
<button type="submit">${t('request.submit')}</button>
</form>`;
}
