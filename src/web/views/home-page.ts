import type { Locale } from '../../i18n/index.js';
import { html, type SafeHtml } from '../html.js';
import type { PagePaths } from '../page-paths.js';
import { pageMessages } from './translate-html.js';

export function homePage(locale: Locale, paths: PagePaths, appName: string): SafeHtml {
  const { t } = pageMessages(locale);
  return html`<h1>${t('home.heading')}</h1>
<p>${t('home.intro', { appName })}</p>
<p><a class="button" href="${paths.start}">${t('home.start')}</a></p>`;
}

export function landingPage(locale: Locale, paths: PagePaths): SafeHtml {
  const { t } = pageMessages(locale);
  return html`<h1>${t('landing.title')}</h1>
<p>${t('landing.intro')}</p>
<ul class="actions">
<li><a class="button" href="${paths.request}">${t('landing.request')}</a></li>
<li><a class="button secondary" href="${paths.verify}">${t('landing.verify')}</a></li>
</ul>`;
}
